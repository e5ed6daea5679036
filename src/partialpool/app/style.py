"""One home for each estimator's colour, glyph and name, used by the figure, legend and table."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Glyph:
    name: str
    color: str
    marker: str


OBSERVATION = Glyph("observations y_ij", "#6b6b6b", "circle")
NO_POOL = Glyph("no pooling: ybar_j", "#1f5fbf", "x")
PARTIAL_POOL = Glyph("partial pooling: theta_hat_j", "#1a9641", "circle")
TRUTH = Glyph("true theta_j", "#d4a20a", "triangle")
GRAND_MEAN = Glyph("grand mean (complete pooling)", "#000000", "dash")
FITTED = Glyph("tau_hat (fitted)", "#1a9641", "diamond")

TABLE_ROWS = {
    "no_pool": ("No pooling", NO_POOL),
    "complete_pool": ("Complete pooling", GRAND_MEAN),
    "partial_pool": ("Partial, slider's tau", PARTIAL_POOL),
    "empirical_bayes": ("Partial, tau_hat (EB)", FITTED),
}
