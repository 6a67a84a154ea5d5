"""The lecture's numbers, exactly (`../shared/seed/slide-numbers.md`): the (x+y)z circuit and the sigmoid
neuron, through `evaluate` and through the step trace the GUI plays back."""

from __future__ import annotations

import math

import pytest

import core
from core.trace import Trace

CIRCUIT_INPUTS = {"x": -2.0, "y": 5.0, "z": -4.0}
NEURON = "1/(1+exp(-(w0*x0+w1*x1+w2)))"
NEURON_INPUTS = {"w0": 2.0, "x0": -1.0, "w1": -3.0, "x1": -2.0, "w2": -3.0}

# Gates from left to right as on the slide: (symbol, forward value, gradient into its output).
NEURON_GATES = [
    ("*", -2.00, 0.20),
    ("*", 6.00, 0.20),
    ("+", 4.00, 0.20),
    ("+", 1.00, 0.20),
    ("*-1", -1.00, -0.20),
    ("exp", 0.37, -0.53),
    ("+1", 1.37, -0.53),
    ("1/x", 0.73, 1.00),
]
NEURON_INPUT_GRADS = {"w0": -0.20, "x0": 0.39, "w1": -0.39, "x1": -0.59, "w2": 0.20}


def _sigma() -> float:
    return 1.0 / (1.0 + math.exp(-1.0))  # w0·x0 + w1·x1 + w2 = -2 + 6 - 3 = 1


def _node_named(graph: core.Graph, name: str) -> core.Node:
    (node,) = [n for n in graph.nodes if n.name == name]
    return node


# ---- (x + y) · z ----


@pytest.mark.parametrize("text", ["(x+y)*z", "q = x + y\nf = q * z"])
def test_circuit_value_and_gradients(text: str) -> None:
    g = core.parse(text)
    r = g.evaluate(CIRCUIT_INPUTS)
    assert g.inputs == ("x", "y", "z")
    assert r.value == -12.0
    assert r.grad == {"x": -4.0, "y": -4.0, "z": 3.0}
    (add,) = [n for n in g.gates if n.op == "add"]
    assert r.values[add.id] == 3.0
    assert r.grads[add.id] == -4.0
    assert r.grads[g.output] == 1.0


def test_circuit_program_names_its_q_node() -> None:
    g = core.parse("q = x + y\nf = q * z")
    r = g.evaluate(CIRCUIT_INPUTS)
    q = _node_named(g, "q")
    f = _node_named(g, "f")
    assert (q.symbol, q.label) == ("+", "q = +")
    assert f.id == g.output and f.symbol == "*"
    assert (r.values[q.id], r.grads[q.id]) == (3.0, -4.0)
    assert (r.values[f.id], r.grads[f.id]) == (-12.0, 1.0)


def test_circuit_trace_steps() -> None:
    g = core.parse("q = x + y\nf = q * z")
    t = g.trace(CIRCUIT_INPUTS)
    ids = g.input_ids
    q, f = _node_named(g, "q").id, _node_named(g, "f").id

    assert [s.phase for s in t.steps] == ["forward", "forward", "backward", "backward"]
    assert [s.index for s in t.steps] == [0, 1, 2, 3]
    forward_q, forward_f = t.forward
    assert (forward_q.node, forward_q.input_values, forward_q.value) == (q, (-2.0, 5.0), 3.0)
    assert (forward_f.node, forward_f.input_values, forward_f.value) == (f, (3.0, -4.0), -12.0)

    back_f, back_q = t.backward
    # At the * gate: upstream 1, local grads ∂f/∂q = z = -4 and ∂f/∂z = q = 3.
    assert back_f.node == f and back_f.upstream_grad == 1.0
    assert [(a.arg, a.local_grad, a.contribution, a.accumulated) for a in back_f.args] == [
        (q, -4.0, -4.0, -4.0),
        (ids["z"], 3.0, 3.0, 3.0),
    ]
    # At the + gate: upstream -4, local grads 1 and 1.
    assert back_q.node == q and back_q.upstream_grad == -4.0
    assert [(a.arg, a.local_grad, a.contribution, a.accumulated) for a in back_q.args] == [
        (ids["x"], 1.0, -4.0, -4.0),
        (ids["y"], 1.0, -4.0, -4.0),
    ]
    assert all(s.finite for s in t.steps)


def test_circuit_trace_states() -> None:
    g = core.parse("q = x + y\nf = q * z")
    t = g.trace(CIRCUIT_INPUTS)
    ids = g.input_ids
    q, f = _node_named(g, "q").id, _node_named(g, "f").id
    leaves = {ids["x"]: -2.0, ids["y"]: 5.0, ids["z"]: -4.0}

    s0 = t.state(0)
    assert (s0.values, s0.grads, s0.edge_grads, s0.step) == (leaves, {}, {}, None)
    s1 = t.state(1)
    assert s1.values == {**leaves, q: 3.0} and s1.grads == {} and s1.step is t.steps[0]
    s2 = t.state(2)
    assert s2.values == {**leaves, q: 3.0, f: -12.0} and s2.grads == {}
    s3 = t.state(3)
    assert s3.grads == {f: 1.0, q: -4.0, ids["z"]: 3.0}
    assert s3.edge_grads == {(q, f): -4.0, (ids["z"], f): 3.0}
    s4 = t.state(4)
    assert s4.grads == {f: 1.0, q: -4.0, ids["z"]: 3.0, ids["x"]: -4.0, ids["y"]: -4.0}
    assert s4.edge_grads == {(q, f): -4.0, (ids["z"], f): 3.0, (ids["x"], q): -4.0, (ids["y"], q): -4.0}
    assert s4.step is t.steps[3]
    assert t.state(len(t)) == s4


# ---- the sigmoid neuron, gate by gate ----


def test_neuron_gates_are_the_slides_gates() -> None:
    g = core.parse(NEURON)
    assert [n.symbol for n in g.gates] == [symbol for symbol, _, _ in NEURON_GATES]
    assert g.gates[-1].id == g.output
    assert set(g.inputs) == set(NEURON_INPUTS)


def test_neuron_forward_value() -> None:
    r = core.parse(NEURON).evaluate(NEURON_INPUTS)
    assert round(r.value, 2) == 0.73
    assert r.value == pytest.approx(1.0 / (1.0 + math.exp(-1.0)), abs=1e-12)


def test_neuron_every_gate_value_and_gradient_as_on_the_slide() -> None:
    g = core.parse(NEURON)
    r = g.evaluate(NEURON_INPUTS)
    shown = [(n.symbol, round(r.values[n.id], 2), round(r.grads[n.id], 2)) for n in g.gates]
    assert shown == NEURON_GATES


def test_neuron_input_gradients() -> None:
    r = core.parse(NEURON).evaluate(NEURON_INPUTS)
    assert {name: round(grad, 2) for name, grad in r.grad.items()} == NEURON_INPUT_GRADS
    s = _sigma()
    local = (1 - s) * s  # the whole neuron is σ(w·x + b): its gradient is (1-σ)σ times ∂(w·x + b)
    w0, x0, w1, x1 = (NEURON_INPUTS[k] for k in ("w0", "x0", "w1", "x1"))
    exact = {"w0": x0 * local, "x0": w0 * local, "w1": x1 * local, "x1": w1 * local, "w2": local}
    for name, value in exact.items():
        assert r.grad[name] == pytest.approx(value, abs=1e-12), name


def test_neuron_intermediate_gradients_exact() -> None:
    g = core.parse(NEURON)
    r = g.evaluate(NEURON_INPUTS)
    s = _sigma()
    e = math.exp(-1.0)
    exact_values = [-2.0, 6.0, 4.0, 1.0, -1.0, e, 1 + e, s]
    exact_grads = [s * (1 - s)] * 4 + [-s * (1 - s), -1 / (1 + e) ** 2, -1 / (1 + e) ** 2, 1.0]
    for node, value, grad in zip(g.gates, exact_values, exact_grads):
        assert r.values[node.id] == pytest.approx(value, abs=1e-12), node.symbol
        assert r.grads[node.id] == pytest.approx(grad, abs=1e-12), node.symbol


def test_sigmoid_gate_is_one_gate_with_local_gradient_one_minus_sigma_times_sigma() -> None:
    g = core.parse("sigmoid(w0*x0+w1*x1+w2)")
    assert [n.symbol for n in g.gates] == ["*", "*", "+", "+", "σ"]
    r = g.evaluate(NEURON_INPUTS)
    s = _sigma()
    assert r.value == pytest.approx(s, abs=1e-12)
    assert round(r.value, 2) == 0.73
    add = g.gates[-2]
    assert r.grads[add.id] == pytest.approx((1 - s) * s, abs=1e-12)
    assert round(r.grads[add.id], 2) == 0.20
    assert {name: round(grad, 2) for name, grad in r.grad.items()} == NEURON_INPUT_GRADS
    (sigma_step,) = [st for st in g.trace(NEURON_INPUTS).backward if st.node == g.output]
    assert sigma_step.args[0].local_grad == pytest.approx((1 - s) * s, abs=1e-12)
    assert round(sigma_step.args[0].local_grad, 2) == 0.20


def test_neuron_trace_matches_the_slide() -> None:
    g = core.parse(NEURON)
    t = g.trace(NEURON_INPUTS)
    r = g.evaluate(NEURON_INPUTS)
    assert len(t.forward) == len(t.backward) == len(NEURON_GATES)
    assert [s.node for s in t.forward] == [n.id for n in g.gates]
    assert [s.node for s in t.backward] == [n.id for n in reversed(g.gates)]
    assert [round(s.value, 2) for s in t.forward] == [value for _, value, _ in NEURON_GATES]
    assert [round(s.upstream_grad, 2) for s in reversed(t.backward)] == [grad for _, _, grad in NEURON_GATES]
    for step in t.forward:
        node = g.nodes[step.node]
        assert step.input_values == tuple(r.values[a] for a in node.args)
        assert step.value == r.values[step.node]
    _s, e = _sigma(), math.exp(-1.0)
    local_by_symbol = {  # the slide's local gradients: 1/x → -1/x², +1 → 1, exp → eˣ, *-1 → -1
        "1/x": -1 / (1 + e) ** 2,
        "+1": 1.0,
        "exp": e,
        "*-1": -1.0,
    }
    for step in t.backward:
        node = g.nodes[step.node]
        assert step.upstream_grad == pytest.approx(r.grads[step.node], abs=1e-12)
        for arg in step.args:
            assert arg.contribution == pytest.approx(arg.local_grad * step.upstream_grad, abs=1e-15)
        if node.symbol in local_by_symbol:
            assert step.args[0].local_grad == pytest.approx(local_by_symbol[node.symbol], abs=1e-12)
    # w0·x0: local grads x0 = -1 and w0 = 2, upstream 0.20.
    first_mul = t.backward[-1]
    assert first_mul.node == g.gates[0].id
    assert [a.local_grad for a in first_mul.args] == [-1.0, 2.0]
    assert [round(a.contribution, 2) for a in first_mul.args] == [-0.20, 0.39]
    final = t.state(len(t))
    ids = g.input_ids
    assert {name: round(final.grads[ids[name]], 2) for name in NEURON_INPUTS} == NEURON_INPUT_GRADS
    assert final.values == dict(enumerate(r.values))
    for node in g.nodes:
        assert final.grads[node.id] == pytest.approx(r.grads[node.id], abs=1e-12)


# ---- stepping: the state after k steps is a function of the first k steps only ----


@pytest.mark.parametrize(
    "text, inputs",
    [
        ("q = x + y\nf = q * z", CIRCUIT_INPUTS),
        (NEURON, NEURON_INPUTS),
        ("x*x + x*y", {"x": 3.0, "y": -2.0}),  # fan-out: accumulated grads appear part by part
    ],
)
def test_state_after_k_steps_depends_only_on_the_first_k_steps(text: str, inputs: dict[str, float]) -> None:
    g = core.parse(text)
    t = g.trace(inputs)
    for k in range(len(t) + 1):
        truncated = Trace(t.graph, t.inputs, t.steps[:k], t.leaf_values)
        assert truncated.state(k) == t.state(k), k
        state = t.state(k)
        assert state.step is (t.steps[k - 1] if k else None)
        # what is known only grows: values/gradients of step k stay in state k+1 unless re-accumulated
        computed = {s.node for s in t.steps[:k] if s.phase == "forward"}
        assert set(state.values) == set(t.leaf_values) | computed
    # the last state agrees with evaluate
    r = g.evaluate(inputs)
    final = t.state(len(t))
    for name, node_id in g.input_ids.items():
        assert final.grads[node_id] == pytest.approx(r.grad[name], abs=1e-12)
