"""Folding a subgraph into one gate and unfolding it: the folded gate computes its value and its
local derivative through its body, every node outside keeps its value and gradient, the lecture's
sigmoid neuron folds into the slide's σ gate, and a selection that is not one gate is refused."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

import core
from core.fold import collapse, expand

NEURON = "1/(1+exp(-(w0*x0+w1*x1+w2)))"
NEURON_INPUTS = {"w0": 2.0, "x0": -1.0, "w1": -3.0, "x1": -2.0, "w2": -3.0}


def ids_of(graph: core.Graph, *ops: str) -> list[int]:
    return [node.id for node in graph.nodes if node.op in ops]


def outside(graph: core.Graph, selection: set[int]) -> list[int]:
    return [node.id for node in graph.nodes if node.id not in selection]


def assert_outside_unchanged(g: core.Graph, selection: set[int], folded: core.Graph, point: dict[str, float]) -> None:
    """The nodes outside the selection, in order, are the folded graph's nodes other than the fold."""
    r, r2 = g.evaluate(point), folded.evaluate(point)
    (fold,) = [node.id for node in folded.nodes if node.fold is not None]
    kept, kept2 = outside(g, selection), [i for i in range(len(folded.nodes)) if i != fold]
    assert [g.nodes[i].label for i in kept] == [folded.nodes[i].label for i in kept2]
    for i, j in zip(kept, kept2):
        assert r.values[i] == pytest.approx(r2.values[j], rel=1e-12, abs=1e-15)
        assert r.grads[i] == pytest.approx(r2.grads[j], rel=1e-12, abs=1e-15)
    assert r2.value == pytest.approx(r.value, rel=1e-12) and r2.grad == pytest.approx(r.grad, rel=1e-12)


def test_the_lecture_neuron_folds_into_the_slides_sigma_gate() -> None:
    g = core.parse(NEURON)
    selection = set(ids_of(g, "mul_const", "exp", "add_const", "recip"))
    assert len(selection) == 4
    folded = collapse(g, selection, name="σ")
    (sigma,) = [node for node in folded.nodes if node.fold is not None]
    assert sigma.symbol == "σ" and sigma.id == folded.output and len(sigma.args) == 1
    assert len(folded.nodes) == len(g.nodes) - 3
    t = folded.trace(NEURON_INPUTS)
    (step,) = [s for s in t.backward if s.node == sigma.id]
    s = 1 / (1 + math.exp(-1.0))
    assert step.args[0].local_grad == pytest.approx((1 - s) * s, rel=1e-12)
    assert round(step.args[0].local_grad, 4) == 0.1966
    (forward,) = [s for s in t.forward if s.node == sigma.id]
    assert forward.value == pytest.approx(s, rel=1e-15)
    assert_outside_unchanged(g, selection, folded, NEURON_INPUTS)


def test_unfolding_gives_back_the_original_gates() -> None:
    g = core.parse(NEURON)
    folded = collapse(g, set(ids_of(g, "mul_const", "exp", "add_const", "recip")), name="σ")
    back = expand(folded, folded.output)
    assert [n.label for n in back.nodes] == [n.label for n in g.nodes]
    assert [n.args for n in back.nodes] == [n.args for n in g.nodes]
    assert back.evaluate(NEURON_INPUTS).grads == g.evaluate(NEURON_INPUTS).grads


def test_a_fold_with_three_arguments_is_one_gate_with_its_own_gradients() -> None:
    g = core.parse("h = tanh(w*x + b)\nf = h * h + x")
    selection = set(ids_of(g, "mul", "add", "tanh")[:3])  # w*x, + b, tanh
    folded = collapse(g, selection, name="neuron")
    (neuron,) = [node for node in folded.nodes if node.fold is not None]
    assert neuron.name == "h" and neuron.label == "h = neuron" and len(neuron.args) == 3
    point = {"w": 0.7, "x": -1.2, "b": 0.3}
    assert_outside_unchanged(g, selection, folded, point)
    check = core.gradcheck(folded, point)
    assert check.ok, check
    t = folded.trace(point)
    (step,) = [s for s in t.backward if s.node == neuron.id]
    out = math.tanh(0.7 * -1.2 + 0.3)
    slope = 1 - out * out
    assert [a.local_grad for a in step.args] == pytest.approx([-1.2 * slope, 0.7 * slope, slope], rel=1e-12)
    grid = folded.evaluate({"w": np.array([0.7, 0.1]), "x": -1.2, "b": 0.3})
    assert grid.grad["w"][0] == pytest.approx(folded.evaluate(point).grad["w"], rel=1e-12)
    j = core.jvp(folded, point, tangent={"w": 1.0})
    assert j.tangent == pytest.approx(folded.evaluate(point).grad["w"], rel=1e-12)


@pytest.mark.parametrize(
    "text, pick, words",
    [
        ("exp(x) + log(y)", ("exp", "log"), "not connected"),
        ("q = exp(x)\nq * q + q", ("exp", "mul"), "2 outputs"),
        ("x * y", ("input",), "input"),
        ("x * y", (), "empty"),
    ],
)
def test_a_selection_that_is_not_one_gate_is_refused_saying_why(text: str, pick: tuple[str, ...], words: str) -> None:
    g = core.parse(text)
    with pytest.raises(ValueError, match=words):
        collapse(g, set(ids_of(g, *pick)), name="g")


def test_unknown_ids_and_unfolding_a_plain_gate_are_errors() -> None:
    g = core.parse("exp(x)")
    with pytest.raises(ValueError, match="no node 7"):
        collapse(g, {7}, name="g")
    with pytest.raises(ValueError, match="not a folded gate"):
        expand(g, g.output)


def test_folds_nest_and_unfold_one_level_at_a_time() -> None:
    g = core.parse("sigmoid(exp(x) * 2 + 1) * y")
    inner = collapse(g, set(ids_of(g, "exp", "mul_const")), name="inner")
    fold_id = next(n.id for n in inner.nodes if n.fold is not None)
    outer = collapse(inner, {fold_id, *ids_of(inner, "add_const", "sigmoid")}, name="outer")
    point = {"x": 0.3, "y": 2.0}
    assert outer.evaluate(point).grad == pytest.approx(g.evaluate(point).grad, rel=1e-12)
    once = expand(outer, next(n.id for n in outer.nodes if n.fold is not None))
    assert [n.symbol for n in once.nodes if n.fold is not None] == ["inner"]
    assert once.evaluate(point).value == pytest.approx(g.evaluate(point).value, rel=1e-15)


PROGRAM_OPS = ["+", "*", "-"]


def random_program(rng: random.Random) -> str:
    names, lines = ["x", "y", "z"], []
    for k in range(rng.randint(4, 14)):
        a, b = rng.choice(names), rng.choice(names)
        fn = rng.choice(["tanh", "sin", "exp", ""])
        expr = f"{a} {rng.choice(PROGRAM_OPS)} {b} * 0.5"
        lines.append(f"v{k} = {fn}({expr})" if fn else f"v{k} = {expr}")
        names.append(f"v{k}")
    return "\n".join(lines)


def random_selection(g: core.Graph, rng: random.Random) -> set[int]:
    """A gate and some of the gates it depends on, grown backwards through gates used only inside
    the selection: connected, with one output."""
    top = rng.choice(g.gates[len(g.gates) // 3 :])
    selection = {top.id}
    for node in reversed(g.nodes[: top.id]):
        if node.args and rng.random() < 0.9 and all(u in selection for u in g.users[node.id]):
            selection.add(node.id)
    return selection


def test_the_random_folds_include_big_and_wide_ones() -> None:
    shapes = []
    for seed in range(25):
        rng = random.Random(seed)
        g = core.parse(random_program(rng))
        for _ in g.inputs:  # the same draws as the test below: its point first
            rng.uniform(-1, 1)
        selection = random_selection(g, rng)
        folded = collapse(g, selection, name="f")
        shapes.append((len(selection), len(next(n for n in folded.nodes if n.fold is not None).args)))
    assert max(size for size, _ in shapes) >= 5 and max(width for _, width in shapes) >= 3, shapes


@pytest.mark.parametrize("seed", range(25))
def test_random_folds_round_trip_with_every_value_and_gradient(seed: int) -> None:
    rng = random.Random(seed)
    g = core.parse(random_program(rng))
    point = {name: rng.uniform(-1, 1) for name in g.inputs}
    # A fold that always has one output: a gate and some of the gates it depends on, grown backwards
    # through gates only used inside the selection.
    selection = random_selection(g, rng)
    folded = collapse(g, selection, name="f")
    assert_outside_unchanged(g, selection, folded, point)
    back = expand(folded, next(n.id for n in folded.nodes if n.fold is not None))
    r, r3 = g.evaluate(point), back.evaluate(point)
    assert sorted(n.label for n in back.nodes) == sorted(n.label for n in g.nodes)
    assert r3.value == pytest.approx(r.value, rel=1e-12) and r3.grad == pytest.approx(r.grad, rel=1e-12)
