"""Comparisons shared by the sessions of a server process: computed once for a class that
opens one link or chooses one model. No layout here."""

from __future__ import annotations

import hashlib
import pickle
import threading
from collections import OrderedDict

from ..compare import Comparison
from ..estimators import ESTIMATORS
from ..groupdata import GroupData
from ..models import Model

SHARED_COMPARISONS = 32
"""How many comparisons of simulated and bundled data a server process keeps for all its
sessions: a class opening one link, or choosing one model, computes each once."""
_kept: OrderedDict[bytes, Comparison] = OrderedDict()
_lock = threading.Lock()


def digest(data: GroupData, model: Model, *settings: object) -> bytes:
    """A digest of everything `compare_on_grid` computes from (the data's every field, the
    model's, the prior, scale, tau and true tau, and the estimators registered now); a fit
    handed over is `model.fit(data)`."""
    estimators = [(name, id(estimator)) for name, estimator in ESTIMATORS.items()]
    return hashlib.blake2b(pickle.dumps((data, model, settings, estimators))).digest()


def get(key: bytes) -> Comparison | None:
    """The comparison kept under `key`, or None."""
    with _lock:
        comparison = _kept.get(key)
        if comparison is not None:
            _kept.move_to_end(key)
        return comparison


def keep(key: bytes, comparison: Comparison) -> None:
    """Keep `comparison` under `key`, forgetting the least recently used beyond
    SHARED_COMPARISONS."""
    with _lock:
        _kept[key] = comparison
        _kept.move_to_end(key)
        while len(_kept) > SHARED_COMPARISONS:
            _kept.popitem(last=False)
