"""Parse errors in the user's words (issue 12): `2x` says to write `2*x`, at the number's column."""

from __future__ import annotations

import pytest

import core


@pytest.mark.parametrize(
    "text, write, line, column",
    [
        ("2x", "2*x", 1, 1),
        ("x + 3.5y*z", "3.5*y", 1, 5),
        ("q = x; f = 2q", "2*q", 1, 12),
        ("q = x\nf = 10q + 1", "10*q", 2, 5),
    ],
)
def test_a_number_glued_to_a_name_says_to_write_the_multiplication(text, write, line, column):
    with pytest.raises(core.ParseError) as caught:
        core.parse(text)
    error = caught.value
    assert f"write {write}" in str(error) and "decimal literal" not in str(error)
    assert (error.line, error.column) == (line, column)


def test_numbers_python_reads_are_still_numbers():
    for text in ("2*x + 1e3", "x + 0x1f", "x_2 + 2"):
        core.parse(text)
