"""The shipped examples: every one parses, evaluates finitely with its defaults, needs exactly its inputs;
the circuit and the sigmoid neuron reproduce the lecture's numbers."""

from __future__ import annotations

import math

import pytest

import core

EXAMPLES = core.examples()


def test_the_lecture_examples_are_there() -> None:
    names = [e.name for e in EXAMPLES]
    assert names == sorted(names)
    assert len(EXAMPLES) >= 12
    stems = {name.split("_", 1)[1] for name in names}
    assert {"circuit", "sigmoid_neuron", "logistic_loss", "xor_unit"} <= stems
    for activation in ("sigmoid", "tanh", "relu", "leaky_relu", "prelu", "elu", "softplus"):
        assert f"act_{activation}" in stems


@pytest.mark.parametrize("ex", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_example_parses_and_evaluates_finitely(ex: core.Example) -> None:
    assert ex.title.strip()
    g = ex.graph()
    assert set(g.inputs) == set(ex.inputs), "the defaults give exactly the inputs the expression needs"
    r = g.evaluate(ex.inputs)
    assert r.finite, sorted(r.nonfinite)
    assert math.isfinite(r.value)
    assert all(math.isfinite(v) for v in r.grad.values())
    t = g.trace(ex.inputs)
    assert all(step.finite for step in t.steps)
    assert len(t.forward) == len(t.backward) == len(g.gates)
    check = core.gradcheck(g, ex.inputs)
    wrong = {g.nodes[i].symbol for i in check.wrong_gates}
    assert wrong == set(ex.wrong_gates), "exactly the gates shipped wrong on purpose are found"
    assert check.ok == (not ex.wrong_gates), check


def test_example_lookup_by_short_name() -> None:
    assert core.example("circuit").name == "01_circuit"
    assert core.example("01_circuit").name == "01_circuit"
    with pytest.raises(KeyError, match="known"):
        core.example("no_such_example")


def test_circuit_example_reproduces_the_lecture() -> None:
    ex = core.example("circuit")
    assert ex.inputs == {"x": -2.0, "y": 5.0, "z": -4.0}
    g = ex.graph()
    r = g.evaluate(ex.inputs)
    assert r.value == -12.0
    assert r.grad == {"x": -4.0, "y": -4.0, "z": 3.0}
    (q,) = [n for n in g.nodes if n.name == "q"]
    assert (r.values[q.id], r.grads[q.id]) == (3.0, -4.0)


def test_sigmoid_neuron_example_reproduces_the_lecture() -> None:
    ex = core.example("sigmoid_neuron")
    assert ex.inputs == {"w0": 2.0, "x0": -1.0, "w1": -3.0, "x1": -2.0, "w2": -3.0}
    g = ex.graph()
    assert [n.symbol for n in g.gates] == ["*", "*", "+", "+", "*-1", "exp", "+1", "1/x"]
    r = g.evaluate(ex.inputs)
    assert round(r.value, 2) == 0.73
    assert r.value == pytest.approx(1 / (1 + math.exp(-1)), abs=1e-12)
    assert {k: round(v, 2) for k, v in r.grad.items()} == {
        "w0": -0.20,
        "x0": 0.39,
        "w1": -0.39,
        "x1": -0.59,
        "w2": 0.20,
    }
    assert [round(r.grads[n.id], 2) for n in g.gates] == [0.20, 0.20, 0.20, 0.20, -0.20, -0.53, -0.53, 1.00]


def test_sigmoid_gate_example_is_the_same_neuron_with_one_sigma_gate() -> None:
    neuron, gate = core.example("sigmoid_neuron"), core.example("sigmoid_gate")
    assert neuron.inputs == gate.inputs
    a, b = neuron.graph().evaluate(neuron.inputs), gate.graph().evaluate(gate.inputs)
    assert b.value == pytest.approx(a.value, abs=1e-12)
    for name in a.grad:
        assert b.grad[name] == pytest.approx(a.grad[name], abs=1e-12)
    assert gate.graph().gates[-1].symbol == "σ"


def test_xor_unit_computes_xor() -> None:
    ex = core.example("xor_unit")
    g = ex.graph()
    outputs = {(x1, x2): g.evaluate({"x1": x1, "x2": x2}).value for x1 in (0, 1) for x2 in (0, 1)}
    assert {k: round(v) for k, v in outputs.items()} == {(0, 0): 0, (0, 1): 1, (1, 0): 1, (1, 1): 0}


def test_prelu_example_backprops_into_alpha() -> None:
    ex = core.example("act_prelu")
    r = ex.graph().evaluate(ex.inputs)
    assert "alpha" in r.grad and r.grad["alpha"] != 0.0


def test_logistic_loss_example_matches_the_formula() -> None:
    ex = core.example("logistic_loss")
    v = ex.inputs
    p = 1 / (1 + math.exp(-(v["w1"] * v["x1"] + v["w2"] * v["x2"] + v["b"])))
    loss = -(v["y"] * math.log(p) + (1 - v["y"]) * math.log(1 - p))
    r = ex.graph().evaluate(v)
    assert r.value == pytest.approx(loss, abs=1e-12)
    assert r.grad["b"] == pytest.approx(p - v["y"], abs=1e-12)  # the famous ∂L/∂z = p − y
    assert r.grad["w1"] == pytest.approx((p - v["y"]) * v["x1"], abs=1e-12)


def test_the_own_gates_example_ships_one_wrong_derivative_among_right_ones() -> None:
    ex = core.example("own_gates")
    g = ex.graph()
    assert sorted({n.fold.name for n in g.nodes if n.fold is not None}) == ["lin", "mysig"]
    check = core.gradcheck(g, ex.inputs)
    (mysig,) = [c for c in check.gates if c.name == "mysig"]
    s = 1 / (1 + math.exp(-1.0))  # the lecture's neuron: the sum into σ is 1
    assert mysig.arguments["a"].numeric == pytest.approx(s * (1 - s), rel=1e-6)
    assert mysig.arguments["a"].analytic == pytest.approx(math.exp(-1) / (1 + math.exp(-1)), rel=1e-12)
    assert all(c.ok for c in check.gates if c.name == "lin")
    assert g.evaluate(ex.inputs).value == pytest.approx(s, rel=1e-12)
