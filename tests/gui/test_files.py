"""Atomic writes: the old file survives any failure, and no temporary file is left behind."""

from __future__ import annotations

import pytest

from graphviz_app.files import write_atomically


def test_writes_and_replaces(tmp_path):
    path = tmp_path / "a.json"
    write_atomically(path, b"one")
    write_atomically(path, b"two")
    assert path.read_bytes() == b"two"
    assert list(tmp_path.iterdir()) == [path]


def test_a_write_that_fails_half_way_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "a.json"
    path.write_bytes(b"the user's work")

    class HalfWay(Exception):
        pass

    def fail(*_args):
        raise HalfWay

    monkeypatch.setattr("graphviz_app.files.os.fsync", fail)
    with pytest.raises(HalfWay):
        write_atomically(path, b"x" * 100)
    assert path.read_bytes() == b"the user's work"
    assert list(tmp_path.iterdir()) == [path]


def test_a_missing_folder_is_an_oserror(tmp_path):
    with pytest.raises(OSError):
        write_atomically(tmp_path / "missing" / "a.json", b"")
