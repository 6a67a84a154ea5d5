"""Dark theme: an unticked check box stands out from the window (issue 12: it was almost invisible)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QCheckBox, QStyle, QStyleOptionButton, QWidget

from graphviz_app.theme import apply_theme, style_sheet


def pixels(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    width, height = image.width(), image.height()
    data = np.frombuffer(image.constBits(), np.uint8, count=image.bytesPerLine() * height)
    return data.reshape(height, image.bytesPerLine())[:, : width * 3].reshape(height, width, 3).astype(int)


@pytest.fixture
def dark_app():
    app = QApplication.instance()
    apply_theme(app, True)
    yield app
    apply_theme(app, False)


@pytest.mark.parametrize("checked", [False, True])
def test_a_check_box_stands_out_in_the_dark_theme(qtbot, dark_app, checked: bool) -> None:
    page = QWidget()
    box = QCheckBox("SGD", page)
    box.setChecked(checked)
    qtbot.addWidget(page)
    page.resize(120, 40)
    page.show()
    qtbot.waitExposed(page)
    option = QStyleOptionButton()
    box.initStyleOption(option)
    rect = box.style().subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, option, box)
    picture = pixels(box.grab().toImage())
    indicator = picture[rect.top() : rect.bottom() + 1, rect.left() : rect.right() + 1]
    window = np.array(QColor("#1e2228").getRgb()[:3])
    contrast = np.abs(indicator - window).sum(axis=2).max()
    assert contrast > 250, contrast  # a light frame (unticked) or blue with a white tick (ticked)


def test_the_style_sheet_points_at_icons_that_exist() -> None:
    import re
    from pathlib import Path

    for url in re.findall(r"url\(([^)]+)\)", style_sheet(True) + style_sheet(False)):
        assert Path(url).is_file(), url
