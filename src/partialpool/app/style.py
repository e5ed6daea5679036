"""One home for each estimator's colour, glyph and name, used by the figure, legend and table."""

from __future__ import annotations

from dataclasses import dataclass

from bokeh.models import Scatter

from ..estimators import ESTIMATORS

MARKER_SYMBOLS = {
    "circle": "○",
    "diamond": "◆",
    "dash": "\u2013",
    "inverted_triangle": "▼",
    "square": "■",
    "square_x": "⊠",
    "triangle": "▲",
    "x": "\u00d7",
}
"""Bokeh scatter markers as the characters that look like them."""


@dataclass(frozen=True)
class Glyph:
    """How one quantity is drawn: its legend name, colour and Bokeh scatter marker."""

    name: str
    color: str
    marker: str
    size: float = 13
    outline: str | None = None
    fill_alpha: float = 1.0
    line_alpha: float = 1.0
    line_width: float = 2.5

    @property
    def symbol(self) -> str:
        """The marker as a character, for marks drawn in HTML."""
        return MARKER_SYMBOLS[self.marker]

    def marks(self, x: str, y: str) -> Scatter:
        """A Scatter glyph of this look at the source's columns x and y."""
        look = self.scatter()
        del look["legend_label"]
        return Scatter(x=x, y=y, **look)

    def scatter(self) -> dict[str, object]:
        """Keyword arguments for `figure.scatter` that draw this glyph with its legend entry."""
        return {
            "marker": self.marker,
            "size": self.size,
            "fill_color": self.color,
            "fill_alpha": self.fill_alpha,
            "line_color": self.outline or self.color,
            "line_alpha": self.line_alpha,
            "line_width": self.line_width,
            "legend_label": self.name,
        }


OBSERVATION = Glyph(
    "observations y_ij", "#6b6b6b", "circle", size=4, fill_alpha=0.35, line_alpha=0.35, line_width=1
)


def _estimator(key: str, **look: object) -> Glyph:
    """The glyph of a registered estimator: its legend, colour and marker from the registry
    (`partialpool.estimators.ESTIMATORS`), sizes and alphas here."""
    entry = ESTIMATORS[key]
    return Glyph(entry.legend, entry.colour, entry.marker, **look)


NO_POOL = _estimator("no_pool")
PARTIAL_POOL = _estimator("partial_pool", fill_alpha=0.0)
TRUTH = Glyph("true theta_j", "#d4a20a", "triangle", size=11, outline="#8a6a00", line_width=1)
GRAND_MEAN = _estimator("complete_pool")
FITTED = _estimator("empirical_bayes")
FULL_BAYES = _estimator("full_bayes", size=11)
SLIDER = Glyph("slider's tau", "#000000", "inverted_triangle")
JAMES_STEIN = _estimator("james_stein", size=12, fill_alpha=0.0, line_width=1.5)
JAMES_STEIN_MEAN = _estimator("james_stein_mean", size=8, fill_alpha=0.8)

TOGGLED_ROWS = {
    "full_bayes": "show_full_bayes",
    "james_stein": "show_james_stein",
    "james_stein_mean": "show_james_stein",
}
"""Table rows shown only while the state's toggle (the value) is on, with their glyphs."""

TOGGLES = tuple(dict.fromkeys(TOGGLED_ROWS.values()))
"""The state's switches for the extra estimates in the figure and the MSE table."""
