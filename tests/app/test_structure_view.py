"""The model-structure chooser: each structure's graph has the nodes and arrows of its model."""

from __future__ import annotations

import re

import pytest

from partialpool.app import PoolingState
from partialpool.app.structure_view import GRAPHS, WHEN, StructureChooser

# (circles, arrows): theta_j -> y_j for 4 drawn groups; theta -> 4 y_j;
# (mu, tau) -> 4 theta_j -> y_j
SHAPES = {"separate": (8, 4), "pooled": (5, 4), "hierarchical": (9, 8)}


@pytest.mark.parametrize("structure", list(SHAPES))
def test_each_graph_draws_its_models_nodes_and_arrows(structure):
    svg = GRAPHS[structure]
    circles, arrows = SHAPES[structure]
    assert svg.count("<circle") == circles
    assert svg.count("marker-end='url(#arrow)'") == arrows
    labels = re.findall(r">([^<>]+)</text>", svg)
    assert ("μ, τ" in labels) == (structure == "hierarchical")
    assert ("θ" in labels) == (structure == "pooled")


def test_the_chooser_shows_the_chosen_structure_and_when_it_fits():
    state = PoolingState()
    chooser = StructureChooser(state=state)
    assert "data-structure='hierarchical'" in chooser._graph.object
    assert "De Finetti" in chooser._graph.object
    for structure in ("separate", "pooled"):
        chooser._buttons.value = structure
        assert state.structure == structure
        assert GRAPHS[structure] in chooser._graph.object
        assert WHEN[structure] in chooser._graph.object


def test_the_population_note_says_why_a_t_population_is_not_used():
    state = PoolingState(population="student-t")
    chooser = StructureChooser(state=state)
    assert chooser._nu.visible and "heavy tails" in chooser._population_note.object
    state.upload(b"group,estimate,se\nA<b>,1,1\nB,2,1\n", "two.csv")
    assert "at least 3 groups" in chooser._population_note.object
    state.population = "normal"
    assert not chooser._nu.visible and not chooser._population_note.visible


def test_the_nu_slider_spans_nus_bounds():
    state = PoolingState(population="student-t")
    chooser = StructureChooser(state=state)
    nu = chooser._nu
    assert (nu.start, nu.end, nu.step) == (*state.param.nu.bounds, state.param.nu.step)
