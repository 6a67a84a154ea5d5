"""What a session keeps of the optimizer lab (`LabState.to_dict` / `from_dict` call these):

    "lab": {"surface": "rosenbrock", "start": [-1.5, 2.0], "steps": 600, "cursor": 120,
            "inspected": "adam", "axes": ["x", "y"], "race": "optimizers",
            "rate_race": {"optimizer": "sgd", "rates": [0.0022, 0.001]},
            "regression": {"batch_size": 4, "seed": 0, "lr": 0.1},
            "optimizers": {"adam": {"enabled": true, "hyperparameters": {"lr": 0.1, "betas": [0.9, 0.999]},
                                    "decay": "step", "step_size": 100, "step_gamma": 0.5, "exp_gamma": 0.995}}}

"start" is null while the runs start at the surface's own start. Restoring goes through the state's
setters (the views follow their signals); a value that cannot be used keeps the lab's and is one line
of the returned messages (`graphviz_app.restore`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.optimizers import OPTIMIZERS, HyperValue
from graphviz_app.restore import Restorer, choice, flag, number, pair, shown, whole

if TYPE_CHECKING:
    from graphviz_app.lab.lab_state import LabState, RunSettings

MAX_STEPS = 5000  # the steps box's range in the tab


def lab_to_dict(lab: LabState) -> dict[str, object]:
    return {
        "surface": lab.surface_key,
        "start": None if lab._wanted_start is None else list(lab._wanted_start),
        "steps": lab.steps,
        "cursor": lab.cursor,
        "inspected": lab.inspected,
        "axes": list(lab.expression_axes),
        "race": lab.race_kind,
        "rate_race": {"optimizer": lab.rate_optimizer, "rates": list(lab.rates)},
        "regression": {"batch_size": lab.batch_size, "seed": lab.batch_seed, "lr": lab.regression_lr},
        "optimizers": {name: _run_dict(s) for name, s in lab.settings.items()},
    }


def _run_dict(settings: RunSettings) -> dict[str, object]:
    hyper = {k: list(v) if isinstance(v, tuple) else v for k, v in settings.hyperparameters.items()}
    return {
        "enabled": settings.enabled,
        "hyperparameters": hyper,
        "decay": settings.decay,
        "step_size": settings.step_size,
        "step_gamma": settings.step_gamma,
        "exp_gamma": settings.exp_gamma,
    }


def lab_from_dict(lab: LabState, data: object) -> list[str]:
    """Put a session's "lab" back into `lab`; the messages say what kept the lab's own value."""
    from graphviz_app.lab.lab_state import RACE_KINDS, SLOTS

    r = Restorer("lab", data)
    r.apply("surface", lambda v: lab.set_surface(choice(v, [k for k, _ in lab.surface_choices()])), lab.surface_key)
    r.apply("axes", lambda v: _set_axes(lab, v), list(lab.expression_axes))
    r.apply("steps", lambda v: lab.set_steps(whole(v, 1, MAX_STEPS)), lab.steps)
    optimizers = r.data.get("optimizers", {})
    if not isinstance(optimizers, dict):
        r.note(f"optimizers: expected an object of optimizer: settings, not {shown(optimizers)} (kept every default)")
        optimizers = {}
    for name, saved in optimizers.items():
        if name not in OPTIMIZERS:
            r.note(f"optimizers: no optimizer {shown(name)} in this version (left out)")
            continue
        _restore_run(lab, name, Restorer(f"lab: {OPTIMIZERS[name].display_name}", saved), r.messages)
    r.apply("race", lambda v: lab.set_race_kind(choice(v, RACE_KINDS)), lab.race_kind)
    rate_race = Restorer("lab: learning-rate race", r.data.get("rate_race", {}))
    rate_race.apply("optimizer", lambda v: lab.set_rate_race(optimizer=choice(v, OPTIMIZERS)), lab.rate_optimizer)
    rate_race.apply("rates", lambda v: lab.set_rate_race(rates=_rates(v)), list(lab.rates))
    regression = Restorer("lab: regression", r.data.get("regression", {}))
    regression.apply("batch_size", lambda v: lab.set_batch(batch_size=whole(v, 1, 10**6)), lab.batch_size)
    regression.apply("seed", lambda v: lab.set_batch(seed=whole(v, 0, 2**32 - 1)), lab.batch_seed)
    regression.apply("lr", lambda v: lab.set_batch(lr=number(v)), lab.regression_lr)
    if r.data.get("start") is not None:  # after the surface: choosing one forgets the start
        r.apply("start", lambda v: lab.set_start(*pair(v)), list(lab.start))
    r.apply("inspected", lambda v: lab.set_inspected(choice(v, SLOTS)), lab.inspected)
    r.apply("cursor", lambda v: lab.set_cursor(whole(v, 0, lab.steps)), lab.cursor)
    return r.messages + rate_race.messages + regression.messages


def _set_axes(lab: LabState, value: object) -> None:
    x, y = pair_of_names(value)
    lab.set_expression_axes(x, y)


def pair_of_names(value: object) -> tuple[str, str]:
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) and v for v in value)):
        raise ValueError(f'expected ["x", "y"], not {shown(value)}')
    if value[0] == value[1]:
        raise ValueError(f"the two axes must differ, not {shown(value)}")
    return value[0], value[1]


def _rates(value: object) -> tuple[float, ...]:
    if not isinstance(value, list):
        raise ValueError(f"expected a list of learning rates, not {shown(value)}")
    return tuple(number(v) for v in value)


def _restore_run(lab: LabState, name: str, r: Restorer, messages: list[str]) -> None:
    from graphviz_app.lab.lab_state import DECAYS

    row = lab.settings[name]
    r.apply("enabled", lambda v: lab.set_enabled(name, flag(v)), row.enabled)
    hyper = r.data.get("hyperparameters", {})
    if not isinstance(hyper, dict):
        r.note(f"hyperparameters: expected an object, not {shown(hyper)} (kept the defaults)")
        hyper = {}
    spec = OPTIMIZERS[name]
    for key, value in hyper.items():
        current = lab.settings[name].hyperparameters.get(key)
        try:
            if current is None:
                raise ValueError(f"{spec.display_name} has no hyperparameter {shown(key)}")
            wanted = _hyper_value(value, current)
            spec.settings({**lab.settings[name].hyperparameters, key: wanted})  # torch's checks
        except ValueError as error:
            r.note(f"{key}: {error} (kept {shown(current)})")
            continue
        lab.set_hyperparameter(name, key, wanted)
    r.apply("decay", lambda v: lab.set_decay(name, choice(v, DECAYS)), row.decay)
    r.apply("step_size", lambda v: lab.set_decay_parameters(name, step_size=whole(v, 1, 10**6)), row.step_size)
    r.apply("step_gamma", lambda v: lab.set_decay_parameters(name, step_gamma=number(v)), row.step_gamma)
    r.apply("exp_gamma", lambda v: lab.set_decay_parameters(name, exp_gamma=number(v)), row.exp_gamma)
    messages.extend(r.messages)


def _hyper_value(value: object, like: HyperValue) -> HyperValue:
    """A hyperparameter from JSON, of the kind `like` is: true/false, a pair ([0.9, 0.999] are Adam's
    betas) or a number."""
    if isinstance(like, bool):
        return flag(value)
    if isinstance(like, tuple):
        return pair(value)
    return number(value)
