"""What the export tests share: reading an animation back, frame by frame."""

from __future__ import annotations

import pytest
from PIL import Image


def _frames_of(path) -> list[bytes]:
    with Image.open(path) as image:
        out = []
        for i in range(image.n_frames):
            image.seek(i)
            out.append(image.convert("RGB").tobytes())
        return out


@pytest.fixture
def frames_of():
    """The frames of a GIF file as RGB bytes, in order."""
    return _frames_of
