"""A Monte Carlo study run from the app: block by block on the server's event loop, so that
progress shows and a Cancel click is handled between blocks. No layout here.

In a served session the blocks run from a periodic callback, one block per period
(`panel_private.run_periodically` says why not a chain of next-tick callbacks)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import param

from ..montecarlo import MonteCarloStudy, monte_carlo_blocks
from .panel_private import run_periodically
from .state import PoolingState
from .throttle import served_document

BLOCK_PERIOD_MS = 15
"""One block of the study runs every this many milliseconds; between blocks the server sends
the progress and handles a Cancel click."""

Step = Callable[[Callable[[], None]], object]
"""step(callback): run callback soon, after the server has handled waiting messages."""


class MonteCarloRun(param.Parameterized):
    """Repeat the current model R times (`monte_carlo_blocks`) and keep the result.

    The model is the one on show: for simulated data its J, n_j, sigma, mu and true tau; for
    other data their v_j with mu_hat and the slider's tau standing in for the unknown truth.
    The seed is the simulation's, so the same settings give the same study.
    """

    state = param.ClassSelector(class_=PoolingState)
    replications = param.Integer(1000, bounds=(200, 10_000), step=100, label="Data sets R")
    run = param.Event(label="Run study")
    cancel = param.Event(label="Cancel")
    running = param.Boolean(False, doc="a study is under way")
    done = param.Integer(0, doc="replications finished in the study under way")
    study = param.ClassSelector(
        class_=MonteCarloStudy, allow_None=True, doc="the last finished study, or None"
    )
    message = param.String("", doc="what happened to the last run")

    def __init__(self, step: Step | None = None, **params: object) -> None:
        super().__init__(**params)
        self._step = step
        self._blocks: Iterator[MonteCarloStudy] | None = None
        self._parts: list[MonteCarloStudy] = []
        self._cancelled = False
        self._target = self.replications

    @property
    def target(self) -> int:
        """The replications of the study under way (R as it was when Run was pressed)."""
        return self._target

    def settings(self) -> tuple[np.ndarray, float, float]:
        """(v, tau, mu) of the model the study repeats."""
        state = self.state
        if state.source == "simulated":
            return state.data.v, state.tau_true, state.mu
        return state.data.v, state.tau, state.comparison.pooled.mu

    def is_current(self) -> bool:
        """Whether the last study used the model on show now."""
        study = self.study
        if study is None:
            return False
        v, tau, mu = self.settings()
        return (
            study.v.shape == v.shape
            and bool(np.all(study.v == v))
            and (study.tau, study.mu) == (tau, mu)
        )

    @param.depends("run", watch=True)
    def _on_run(self) -> None:
        if self.running:
            return
        v, tau, mu = self.settings()
        self._target = self.replications
        self._blocks = monte_carlo_blocks(v, tau, mu, self._target, seed=self.state.seed)
        self._parts = []
        self._cancelled = False
        self.param.update(running=True, done=0, study=None, message="")
        self._next()

    @param.depends("cancel", watch=True)
    def _on_cancel(self) -> None:
        if self.running:
            self._cancelled = True

    def _next(self) -> None:
        if self._step is not None:
            self._step(self._run_block_then_next)
        elif served_document() is None:
            while self.running:
                self._run_block()
        else:
            run_periodically(self._tick, BLOCK_PERIOD_MS)

    def _tick(self) -> bool:
        """Run one block; whether the study goes on."""
        self._run_block()
        return self.running

    def _run_block_then_next(self) -> None:
        if self._tick():
            self._next()

    def _run_block(self) -> None:
        if self._cancelled:
            self.param.update(
                running=False,
                message=f"Cancelled after {self.done:,} of {self._target:,} data sets.",
            )
            return
        part = next(self._blocks)
        self._parts.append(part)
        done = self.done + part.replications
        if done < self._target:
            self.done = done
            return
        study = MonteCarloStudy.combine(self._parts)
        self._parts = []
        self.param.update(running=False, done=done, study=study, message="")
