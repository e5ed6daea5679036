"""The three model structures: separate, pooled and hierarchical, each as a small drawn graph
with when it fits. Choosing one emphasises its estimate in the figure."""

from __future__ import annotations

import html

import panel as pn
import param

from .state import POPULATIONS, STRUCTURES, PoolingState
from .style import GRAND_MEAN, NO_POOL, PARTIAL_POOL

WIDTH, NODE_R = 250, 15
WHEN_CSS = ".when { font-size: 12.5px; color: #333; margin: 4px 0; }"
ROWS = {"top": 22, "middle": 70, "bottom": 118}

Node = tuple[str, float, str]
"""(label, x, row) of one node of a graph."""


def _graph_svg(nodes: list[Node], edges: list[tuple[int, int]], color: str) -> str:
    """A directed graph as inline SVG: labelled circles and arrows from parent to child."""
    top = min(ROWS[row] for _, _, row in nodes) - NODE_R - 4
    height = max(ROWS[row] for _, _, row in nodes) + NODE_R + 6 - top
    marker = (
        "<defs><marker id='arrow' viewBox='0 0 10 10' refX='9' refY='5' markerWidth='6' "
        "markerHeight='6' orient='auto-start-reverse'><path d='M 0 0 L 10 5 L 0 10 z' "
        "fill='#555'/></marker></defs>"
    )
    lines = []
    for parent, child in edges:
        (_, x1, r1), (_, x2, r2) = nodes[parent], nodes[child]
        y1, y2 = ROWS[r1] + NODE_R, ROWS[r2] - NODE_R - 2
        lines.append(
            f"<line x1='{x1}' y1='{y1}' x2='{x2}' y2='{y2}' stroke='#555' stroke-width='1.3' "
            "marker-end='url(#arrow)'/>"
        )
    circles = [
        f"<circle cx='{x}' cy='{ROWS[row]}' r='{NODE_R}' fill='#fff' "
        f"stroke='{color if row == 'middle' else '#555'}' stroke-width='2'/>"
        f"<text x='{x}' y='{ROWS[row] + 4}' text-anchor='middle' font-size='11'>{label}</text>"
        for label, x, row in nodes
    ]
    return (
        f"<svg class='structure-graph' width='{WIDTH}' height='{height}' "
        f"viewBox='0 {top} {WIDTH} {height}' role='img' "
        f"xmlns='http://www.w3.org/2000/svg'>{marker}{''.join(lines)}{''.join(circles)}</svg>"
    )


_XS = (35.0, 95.0, 155.0, 215.0)
_GROUPS = ("1", "2", "3", "J")


def separate_graph() -> str:
    """theta_j -> y_j, one unlinked pair per group."""
    nodes = [(f"θ{j}", x, "middle") for j, x in zip(_GROUPS, _XS, strict=True)]
    nodes += [(f"y{j}", x, "bottom") for j, x in zip(_GROUPS, _XS, strict=True)]
    return _graph_svg(nodes, [(j, j + 4) for j in range(4)], NO_POOL.color)


def pooled_graph() -> str:
    """One theta -> every y_j."""
    nodes = [("θ", 125.0, "middle")]
    nodes += [(f"y{j}", x, "bottom") for j, x in zip(_GROUPS, _XS, strict=True)]
    return _graph_svg(nodes, [(0, j + 1) for j in range(4)], GRAND_MEAN.color)


def hierarchical_graph() -> str:
    """(mu, tau) -> theta_j -> y_j."""
    nodes = [("μ, τ", 125.0, "top")]
    nodes += [(f"θ{j}", x, "middle") for j, x in zip(_GROUPS, _XS, strict=True)]
    nodes += [(f"y{j}", x, "bottom") for j, x in zip(_GROUPS, _XS, strict=True)]
    edges = [(0, j + 1) for j in range(4)] + [(j + 1, j + 5) for j in range(4)]
    return _graph_svg(nodes, edges, PARTIAL_POOL.color)


GRAPHS = {
    "separate": separate_graph(),
    "pooled": pooled_graph(),
    "hierarchical": hierarchical_graph(),
}

WHEN = {
    "separate": (
        "<b>Separate</b> (no pooling, the blue x): each theta_j is learned from its own group "
        "alone. Right when the groups are unrelated (independence): nothing one shows says "
        "anything about another; small groups stay noisy."
    ),
    "pooled": (
        "<b>Pooled</b> (complete pooling, the dashed line): one theta for all groups. Right "
        "when the groups are the same (identity): every difference between the ybar_j is "
        "noise; real differences are erased."
    ),
    "hierarchical": (
        "<b>Hierarchical</b> (partial pooling, the green o): the theta_j differ but are "
        "exchangeable, so they are drawn from one population N(mu, tau²) and the data set tau "
        "between the two extremes. De Finetti: exchangeable quantities can always be written "
        "as independent draws given a common unknown, and that unknown is the population."
    ),
}


POPULATION_NOTE = (
    "<p class='when population-note'>A Student-t population has heavy tails: a group far "
    "from the rest is taken for a real outlier and keeps most of its own mean, and it pulls "
    "the others less. (mu, tau) are then fitted by marginal maximum likelihood.</p>"
)


def _population_text(problem: str) -> str:
    if problem:
        return f"<p class='when population-problem'>{html.escape(problem)}</p>"
    return POPULATION_NOTE


class StructureChooser(pn.viewable.Viewer):
    """The population prior (Normal or Student-t with nu), and Separate / Pooled / Hierarchical
    buttons with the chosen structure's graph and when it fits."""

    state = param.ClassSelector(class_=PoolingState)

    def __init__(self, **params: object) -> None:
        super().__init__(**params)
        self._buttons = pn.widgets.RadioButtonGroup.from_param(
            self.state.param.structure,
            options={label: key for key, label in STRUCTURES.items()},
            sizing_mode="stretch_width",
            css_classes=["structure-select"],
        )
        p = self.state.param
        is_t = p.population.rx() == "student-t"
        self._population = pn.widgets.Select.from_param(
            p.population,
            options={label: key for key, label in POPULATIONS.items()},
            sizing_mode="stretch_width",
            css_classes=["population-select"],
        )
        self._nu = pn.widgets.FloatSlider.from_param(
            p.nu,
            throttled=True,
            visible=is_t,
            sizing_mode="stretch_width",
            css_classes=["nu-slider"],
        )
        self._population_note = pn.pane.HTML(
            p.population_problem.rx().rx.pipe(_population_text),
            visible=is_t,
            sizing_mode="stretch_width",
            stylesheets=[WHEN_CSS],
        )
        self._graph = pn.pane.HTML(
            sizing_mode="stretch_width",
            css_classes=["structure"],
            stylesheets=[WHEN_CSS],
        )
        self._draw()
        self.state.param.watch(lambda _: self._draw(), ["structure"])

    def _draw(self) -> None:
        structure = self.state.structure
        self._graph.object = (
            f"<div data-structure='{structure}'>{GRAPHS[structure]}"
            f"<p class='when'>{WHEN[structure]}</p></div>"
        )

    def __panel__(self) -> pn.viewable.Viewable:
        return pn.Column(
            "### Model",
            self._population,
            self._nu,
            self._population_note,
            self._buttons,
            self._graph,
            sizing_mode="stretch_width",
        )
