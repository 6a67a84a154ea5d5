"""What the lab races: every ticked optimizer, or one optimizer at several learning rates (the
lecture's "Once more: learning rate" slide); on the regression surface, the minibatch's size and seed.

Bound to `LabState` like the other lab widgets: edits go to its setters, a refused value (a rate that
is not a positive number, more than six rates) is said under the field and the race stays as it was.
The rates are read with `float()`, never evaluated.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QGridLayout, QLabel, QLineEdit, QSpinBox, QWidget

from core.optimizers import OPTIMIZERS
from graphviz_app.lab.lab_state import MAX_RATES, RACE_KINDS, REGRESSION, LabState
from graphviz_app.theme import colors


def parse_rates(text: str) -> tuple[float, ...]:
    """ "0.003, 0.002 1e-3" → (0.003, 0.002, 0.001); ValueError naming the piece that is no number."""
    pieces = [p for p in text.replace(",", " ").replace(";", " ").split() if p]
    rates = []
    for piece in pieces:
        try:
            rates.append(float(piece))
        except ValueError:
            raise ValueError(f"{piece!r} is not a number") from None
    return tuple(rates)


class RaceControls(QWidget):
    """Race kind; the optimizer and rates of a learning-rate race; batch size and seed on regression."""

    def __init__(self, lab: LabState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lab = lab
        self.kind = QComboBox()
        for key, text in RACE_KINDS.items():
            self.kind.addItem(text, key)
        self.kind.setToolTip("race the ticked optimizers, or one optimizer at up to six learning rates")
        self.optimizer = QComboBox()
        for name, spec in OPTIMIZERS.items():
            self.optimizer.addItem(spec.display_name, name)
        self.rates = QLineEdit()
        self.rates.setPlaceholderText("e.g. 0.003, 0.002, 0.001, 0.0001")
        self.rates.setToolTip(f"up to {MAX_RATES} learning rates, separated by commas or spaces (Enter applies)")
        self.batch = QSpinBox(minimum=1, maximum=len(lab.regression))
        self.batch.setToolTip(
            "points per step of the minibatch run: drawn without replacement, reshuffled every epoch"
            f" ({len(lab.regression)}: the full batch)"
        )
        self.lr = QDoubleSpinBox(decimals=3, minimum=0.001, maximum=2.0, singleStep=0.05)
        self.lr.setToolTip("the learning rate of both SGD runs on the regression surface")
        self.seed = QSpinBox(minimum=0, maximum=9999)
        self.seed.setToolTip("the seed of the minibatch order: the same seed, the same wobble")
        self.message = QLabel(wordWrap=True)
        self.message.setVisible(False)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        self.kind_label, self.rates_label = QLabel("race"), QLabel("rates")
        self.batch_label, self.seed_label = QLabel("batch size"), QLabel("seed")
        grid.addWidget(self.kind_label, 0, 0)
        grid.addWidget(self.kind, 0, 1, 1, 3)
        grid.addWidget(self.rates_label, 1, 0)
        grid.addWidget(self.optimizer, 1, 1)
        grid.addWidget(self.rates, 1, 2, 1, 2)
        grid.addWidget(self.batch_label, 2, 0)
        grid.addWidget(self.batch, 2, 1)
        grid.addWidget(self.seed_label, 2, 2)
        grid.addWidget(self.seed, 2, 3)
        self.lr_label = QLabel("SGD lr")
        grid.addWidget(self.lr_label, 3, 0)
        grid.addWidget(self.lr, 3, 1)
        grid.addWidget(self.message, 4, 0, 1, 4)
        grid.setColumnStretch(2, 1)
        self.kind.currentIndexChanged.connect(lambda i: self._apply(lambda: lab.set_race_kind(self.kind.itemData(i))))
        self.optimizer.currentIndexChanged.connect(
            lambda i: self._apply(lambda: lab.set_rate_race(optimizer=self.optimizer.itemData(i)))
        )
        self.rates.editingFinished.connect(self.apply_rates)
        self.batch.valueChanged.connect(lambda size: self._apply(lambda: lab.set_batch(batch_size=size)))
        self.seed.valueChanged.connect(lambda seed: self._apply(lambda: lab.set_batch(seed=seed)))
        self.lr.valueChanged.connect(lambda lr: self._apply(lambda: lab.set_batch(lr=lr)))
        lab.sig_surface_changed.connect(self.refresh)
        lab.sig_trajectories_changed.connect(self.refresh)
        self.refresh()

    def apply_rates(self) -> None:
        self._apply(lambda: self.lab.set_rate_race(rates=parse_rates(self.rates.text())))

    def _apply(self, change) -> None:  # type: ignore[no-untyped-def]
        try:
            change()
        except ValueError as error:
            self.message.setText(f"<span style='color:{colors(self.lab.dark).warn}'>{error}</span>")
            self.message.setVisible(True)
            return
        self.message.setVisible(False)
        self.refresh()

    def refresh(self) -> None:
        lab = self.lab
        widgets = (self.kind, self.optimizer, self.rates, self.batch, self.seed, self.lr)
        for widget in widgets:
            widget.blockSignals(True)
        self.kind.setCurrentIndex(self.kind.findData(lab.race_kind))
        self.optimizer.setCurrentIndex(self.optimizer.findData(lab.rate_optimizer))
        if not self.rates.hasFocus():
            self.rates.setText(", ".join(f"{r:g}" for r in lab.rates))
        self.batch.setValue(lab.batch_size)
        self.seed.setValue(lab.batch_seed)
        self.lr.setValue(lab.regression_lr)
        for widget in widgets:
            widget.blockSignals(False)
        regression = lab.surface_key == REGRESSION
        rates = lab.race_kind == "learning_rates" and not regression
        for widget in (self.kind_label, self.kind):
            widget.setVisible(not regression)
        for widget in (self.rates_label, self.optimizer, self.rates):
            widget.setVisible(rates)
        for widget in (self.batch_label, self.batch, self.seed_label, self.seed, self.lr_label, self.lr):
            widget.setVisible(regression)
