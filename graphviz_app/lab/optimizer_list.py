"""The optimizer checklist: per optimizer its colour, a checkbox, the learning rate on a log slider with
its number, its main hyperparameters in compact editors, and a learning-rate decay choice.

Edits go to `LabState`; slider drags are coalesced by one single-shot timer, so a drag recomputes the
race at most once per timer period instead of once per pixel.
"""

from __future__ import annotations

import html
import math

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from core.optimizers import OPTIMIZERS
from graphviz_app.lab.lab_state import DECAYS, LabState
from graphviz_app.numbers import number as fmt
from graphviz_app.theme import lab_colors

LR_LOW, LR_HIGH, LR_TICKS = -5.0, 0.5, 550  # log10 range of the learning-rate slider
LR_MIN, LR_MAX = 1e-8, 100.0  # what may be typed (beyond the slider's range: the slider stops at its end)
COALESCE_MS = 40
# The hyperparameters worth a knob on a slide, per optimizer: (key, label, index into a tuple value).
MAIN_KNOBS: dict[str, tuple[tuple[str, str, int | None], ...]] = {
    "momentum": (("momentum", "μ", None),),
    "nesterov": (("momentum", "μ", None),),
    "adagrad": (),
    "rmsprop": (("alpha", "α", None), ("momentum", "μ", None)),
    "adadelta": (("rho", "ρ", None),),
    "adam": (("betas", "β₁", 0), ("betas", "β₂", 1)),
    "adamw": (("betas", "β₁", 0), ("betas", "β₂", 1), ("weight_decay", "wd", None)),
}
DECAY_LABELS = {"none": "const", "step": "step", "exponential": "exp"}
EPS_CHOICES = (1e-12, 1e-10, 1e-8, 1e-6, 1e-4, 1e-2)


def lr_to_tick(lr: float) -> int:
    return round((math.log10(max(lr, 10**LR_LOW)) - LR_LOW) / (LR_HIGH - LR_LOW) * LR_TICKS)


def tick_to_lr(tick: int) -> float:
    return float(f"{10 ** (LR_LOW + tick / LR_TICKS * (LR_HIGH - LR_LOW)):.3g}")


class OptimizerRow(QFrame):
    """One optimizer's controls."""

    def __init__(self, lab: LabState, name: str, on_lr: callable, parent=None) -> None:
        super().__init__(parent)
        self.lab, self.name = lab, name
        spec = OPTIMIZERS[name]
        self.setObjectName("optimizerRow")
        layout = QGridLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setVerticalSpacing(2)
        self.swatch = QLabel()
        self.swatch.setFixedSize(22, 22)
        self.recolor()
        lab.sig_theme_changed.connect(self.recolor)
        self.check = QCheckBox(spec.display_name)
        self.check.setStyleSheet("font-weight: bold;")
        self.check.toggled.connect(lambda on: lab.set_enabled(name, on))
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, LR_TICKS)
        self.slider.setToolTip("learning rate (log scale)")
        # The rate can also be typed (Enter applies it; the slider follows, and the other way round).
        self.lr_edit = QLineEdit()
        self.lr_edit.setFixedWidth(72)
        self.lr_edit.setToolTip(f"learning rate: type a number such as 0.003 or 3e-3 ({LR_MIN:g} to {LR_MAX:g})")
        self.lr_edit.editingFinished.connect(self._lr_typed)
        self.lr_message = QLabel(wordWrap=True)
        self.lr_message.setVisible(False)
        self.slider.setMinimumWidth(80)
        self.slider.valueChanged.connect(lambda tick: self._show_lr(tick_to_lr(tick)))
        self.slider.valueChanged.connect(lambda tick: on_lr(name, tick_to_lr(tick)))
        layout.addWidget(self.swatch, 0, 0)
        layout.addWidget(self.check, 0, 1)
        layout.addWidget(QLabel("lr"), 0, 2)
        layout.addWidget(self.slider, 0, 3)
        layout.addWidget(self.lr_edit, 0, 4)
        knobs = QHBoxLayout()
        knobs.setSpacing(6)
        self.spins: list[tuple[QDoubleSpinBox, str, int | None]] = []
        for key, label, index in MAIN_KNOBS.get(name, ()):
            spin = QDoubleSpinBox(decimals=3 if key != "betas" or index == 0 else 4, singleStep=0.01)
            # Below 1 at the shown precision (0.9999 with 3 decimals rounds to 1, and β₁ = 1 divides by
            # zero in Adam's bias correction); Nesterov needs a momentum.
            spin.setRange(0.01 if name == "nesterov" else 0.0, 1 - 10.0 ** -spin.decimals())
            spin.setButtonSymbols(QDoubleSpinBox.ButtonSymbols.NoButtons)
            spin.setFixedWidth(60 if spin.decimals() <= 3 else 72)
            spin.setToolTip(f"{key}{'' if index is None else f'[{index}]'}")
            spin.valueChanged.connect(lambda value, k=key, i=index: self._set_knob(k, i, value))
            knobs.addWidget(QLabel(label))
            knobs.addWidget(spin)
            self.spins.append((spin, key, index))
        self.eps = None
        if name == "adam":  # the ε the lecture talks about; the others keep torch's default
            self.eps = QComboBox()
            self.eps.setToolTip("eps: added to the denominator so it never divides by zero")
            for value in EPS_CHOICES:
                self.eps.addItem(f"1e{round(math.log10(value))}", value)
            self.eps.currentIndexChanged.connect(lambda i: lab.set_hyperparameter(name, "eps", self.eps.itemData(i)))
            knobs.addWidget(QLabel("ε"))
            knobs.addWidget(self.eps)
        self.decay = QComboBox()
        for key, text in DECAYS.items():
            self.decay.addItem(DECAY_LABELS[key], key)
            self.decay.setItemData(self.decay.count() - 1, text, Qt.ItemDataRole.ToolTipRole)
        self.decay.setToolTip("learning-rate decay: const (none), step (×γ every step_size steps), exp (×γ every step)")
        self.decay.currentIndexChanged.connect(lambda i: lab.set_decay(name, self.decay.itemData(i)))
        # The decay's parameters, shown only for the decay chosen: step_size and γ (step), γ (exp).
        self.step_size = QSpinBox(minimum=1, maximum=100_000, singleStep=10)
        self.step_size.setPrefix("every ")
        self.step_size.setToolTip("step_size: the learning rate is multiplied by γ every this many steps")
        self.step_size.setButtonSymbols(QSpinBox.ButtonSymbols.NoButtons)
        self.step_size.setFixedWidth(96)
        self.gamma = QDoubleSpinBox(decimals=4, minimum=0.0001, maximum=1.0, singleStep=0.001)
        self.gamma.setPrefix("γ ")
        self.gamma.setToolTip("gamma: the factor the learning rate is multiplied by at each decay")
        self.gamma.setButtonSymbols(QDoubleSpinBox.ButtonSymbols.NoButtons)
        self.gamma.setFixedWidth(78)
        self.step_size.valueChanged.connect(lambda size: lab.set_decay_parameters(name, step_size=size))
        self.gamma.valueChanged.connect(self._set_gamma)
        knobs.addStretch(1)
        knobs.addWidget(self.decay)
        layout.addLayout(knobs, 1, 1, 1, 4)
        # On their own line under the knobs: beside them the row would be wider than the column.
        decay_knobs = QHBoxLayout()
        decay_knobs.setSpacing(6)
        decay_knobs.addStretch(1)
        self.decay_label = QLabel("decay")
        decay_knobs.addWidget(self.decay_label)
        decay_knobs.addWidget(self.step_size)
        decay_knobs.addWidget(self.gamma)
        layout.addLayout(decay_knobs, 2, 1, 1, 4)
        layout.addWidget(self.lr_message, 3, 1, 1, 4)
        layout.setColumnStretch(3, 1)
        self.refresh()

    def recolor(self, *_: object) -> None:
        colour = lab_colors(self.lab.theme).optimizers[self.name]
        self.swatch.setStyleSheet(f"background: {colour}; border-radius: 4px;")

    def _set_gamma(self, gamma: float) -> None:
        if self.lab.settings[self.name].decay == "step":
            self.lab.set_decay_parameters(self.name, step_gamma=gamma)
        else:
            self.lab.set_decay_parameters(self.name, exp_gamma=gamma)

    def _show_lr(self, lr: float) -> None:
        self.lr_edit.setText(fmt(lr))
        self.lr_message.setVisible(False)

    def _lr_typed(self) -> None:
        """A typed learning rate: applied at once (the slider moves to it), or refused with a message
        under the row (the rate stays)."""
        text = self.lr_edit.text().strip()
        current = float(self.lab.settings[self.name].hyperparameters["lr"])
        try:
            lr = float(text)
        except ValueError:
            lr = math.nan
        if not LR_MIN <= lr <= LR_MAX:  # nan too
            self._show_lr(current)
            self.lr_message.setText(
                f"<span style='color:{self.lab.theme.colors.bad}'>the learning rate is a number from "
                f"{LR_MIN:g} to {LR_MAX:g}, not “{html.escape(text[:30])}”: it stays {fmt(current)}</span>"
            )
            self.lr_message.setVisible(True)
            return
        self.lr_message.setVisible(False)
        if lr != current:
            self.lab.set_hyperparameter(self.name, "lr", lr)  # refresh() moves the slider

    def _set_knob(self, key: str, index: int | None, value: float) -> None:
        if index is None:
            self.lab.set_hyperparameter(self.name, key, value)
        else:
            pair = list(self.lab.settings[self.name].hyperparameters[key])
            pair[index] = value
            self.lab.set_hyperparameter(self.name, key, tuple(pair))

    def refresh(self) -> None:
        """Show the lab's settings without sending them back."""
        settings = self.lab.settings[self.name]
        hyper = settings.hyperparameters
        widgets = [self.check, self.slider, self.decay, self.step_size, self.gamma, *(s for s, _, _ in self.spins)]
        widgets += [self.eps] if self.eps else []
        for widget in widgets:
            widget.blockSignals(True)
        self.check.setChecked(settings.enabled)
        self.slider.setValue(lr_to_tick(float(hyper["lr"])))
        self._show_lr(float(hyper["lr"]))
        for spin, key, index in self.spins:
            spin.setValue(float(hyper[key] if index is None else hyper[key][index]))
        if self.eps:
            eps = float(hyper["eps"])
            self.eps.setCurrentIndex(min(range(len(EPS_CHOICES)), key=lambda i: abs(math.log10(EPS_CHOICES[i] / eps))))
        self.decay.setCurrentIndex(list(DECAYS).index(settings.decay))
        self.step_size.setValue(settings.step_size)
        self.gamma.setValue(settings.step_gamma if settings.decay == "step" else settings.exp_gamma)
        self.step_size.setVisible(settings.decay == "step")
        self.gamma.setVisible(settings.decay != "none")
        self.decay_label.setVisible(settings.decay != "none")
        for widget in widgets:
            widget.blockSignals(False)


class OptimizerList(QWidget):
    """The checklist of every optimizer in `core.optimizers.OPTIMIZERS`, simplest first."""

    def __init__(self, lab: LabState, parent=None, build_rows: bool = True) -> None:
        """`build_rows=False`: no rows yet; `add_rows` adds them (a few per turn of the event loop:
        a row is some 4 ms of widgets)."""
        super().__init__(parent)
        self.lab = lab
        self._pending_lr: dict[str, float] = {}
        self.timer = QTimer(self, singleShot=True, interval=COALESCE_MS)
        self.timer.timeout.connect(self.apply_pending)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.rows: dict[str, OptimizerRow] = {}
        layout.addStretch(1)
        if build_rows:
            self.add_rows(list(OPTIMIZERS))
        lab.sig_settings_changed.connect(lambda name: self.rows[name].refresh() if name in self.rows else None)

    def add_rows(self, names: list[str]) -> None:
        """Rows for `names` (in `OPTIMIZERS` order, simplest first), above the closing stretch."""
        layout = self.layout()
        for name in names:
            if name not in self.rows:
                self.rows[name] = OptimizerRow(self.lab, name, self._queue_lr)
                layout.insertWidget(layout.count() - 1, self.rows[name])

    def _queue_lr(self, name: str, lr: float) -> None:
        self._pending_lr[name] = lr
        if not self.timer.isActive():
            self.timer.start()

    def apply_pending(self) -> None:
        """Send the learning rates dragged since the last timeout (one recompute per change)."""
        pending, self._pending_lr = self._pending_lr, {}
        for name, lr in pending.items():
            self.lab.set_hyperparameter(name, "lr", lr)
