"""One home for each estimator's colour, glyph and name, used by the figure, legend and table."""

from __future__ import annotations

from dataclasses import dataclass


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
NO_POOL = Glyph("no pooling: ybar_j", "#1f5fbf", "x")
PARTIAL_POOL = Glyph("partial pooling: theta_hat_j", "#1a9641", "circle", fill_alpha=0.0)
TRUTH = Glyph("true theta_j", "#d4a20a", "triangle", size=11, outline="#8a6a00", line_width=1)
GRAND_MEAN = Glyph("grand mean (complete pooling)", "#000000", "dash")
FITTED = Glyph("tau_hat (fitted)", "#1a9641", "diamond")
FULL_BAYES = Glyph("full Bayes: E(theta_j | y) ± 1.96 sd", "#7b3294", "diamond", size=11)
SLIDER = Glyph("slider's tau", "#000000", "inverted_triangle")
JAMES_STEIN = Glyph(
    "James-Stein toward 0", "#e66101", "square_x", size=12, fill_alpha=0.0, line_width=1.5
)
JAMES_STEIN_MEAN = Glyph(
    "James-Stein+ toward the mean", "#e66101", "square", size=8, fill_alpha=0.8
)

TABLE_ROWS = {
    "no_pool": ("No pooling", NO_POOL),
    "complete_pool": ("Complete pooling", GRAND_MEAN),
    "partial_pool": ("Partial, slider's tau", PARTIAL_POOL),
    "empirical_bayes": ("Partial, tau_hat (EB)", FITTED),
    "full_bayes": ("Full Bayes", FULL_BAYES),
    "james_stein": ("James-Stein → 0", JAMES_STEIN),
    "james_stein_mean": ("James-Stein+ → mean", JAMES_STEIN_MEAN),
}

TOGGLED_ROWS = {
    "full_bayes": "show_full_bayes",
    "james_stein": "show_james_stein",
    "james_stein_mean": "show_james_stein",
}
"""Table rows shown only while the state's toggle (the value) is on, with their glyphs."""
