"""The user's text as the parser reads it: statements, the text handed to `ast`, and columns back.

`ast` gets the text one statement at a time (memory stays flat for a 2,000,000-character program,
and the whole-module AST is never built), with `^` written `**` and indentation stripped; a
`Source` maps positions in that text back to the user's 1-based columns. A statement too deep for
`ast` (a sum of thousands of terms is a left spine thousands of BinOps deep, and `ast` refuses
depth beyond about 3× the recursion limit) is split at its top-level operators by `split_top_level`,
so the parser can fold the pieces left to right itself. Nothing here changes the recursion limit,
which is process-wide and would race with a parse in another thread.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_OPENERS, _CLOSERS = "([{", ")]}"  # for str.count; as sets below, where "" must not be a member
_OPENING, _CLOSING = frozenset(_OPENERS), frozenset(_CLOSERS)

# Just enough of Python's tokens to find operators outside brackets: numbers (1e-5 has a `-` that is
# no operator), names, strings and comments (whose contents are not operators), then one-character
# operators, `**` and the comparison pairs.
_TOKEN = r"""(?P<newline>\n)
    | (?P<space>[ \t\f]+|\\\n)
    | (?P<comment>\#[^\n]*)
    | (?P<string>'[^'\n]*'?|"[^"\n]*"?)
    | (?P<number>(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?[jJ]?)
    | (?P<name>\w+)
    | (?P<operator>\*\*|//|==|!=|<=|>=|:=|->|<<|>>|\S)"""
_OPERAND_END = {"number", "name", "string"}  # after one of these (or a closing bracket), +/- is binary


@dataclass(frozen=True)
class Piece:
    """A part of a statement between two top-level operators: `operator` joins it to what came before."""

    operator: str  # "" for the first piece
    text: str  # starts at its first token
    line: int  # 1-based line of the whole text where `text` starts
    column: int  # 0-based character offset in that line of the `ast` text


class Source:
    """The user's text (line ends normalised to `\\n`) and the per-line text given to `ast`."""

    def __init__(self, text: str) -> None:
        self.text = text.replace("\r\n", "\n").replace("\r", "\n")
        self.lines = self.text.split("\n")
        self.multiline = len(self.text.strip().splitlines()) > 1
        self.python_lines = [line.lstrip(" \t").replace("^", "**") for line in self.lines]

    def statements(self) -> Iterator[tuple[int, str]]:
        """(first line, text) of each logical line: physical lines are joined while a bracket is open
        or a line ends in a backslash, as Python joins them."""
        first, depth, pending = 0, 0, []
        for k, line in enumerate(self.python_lines):
            code = line.split("#", 1)[0]
            depth += sum(map(code.count, _OPENERS)) - sum(map(code.count, _CLOSERS))
            pending.append(line)
            if depth <= 0 and not code.endswith("\\"):
                yield first + 1, "\n".join(pending)
                first, depth, pending = k + 1, 0, []
        if pending:
            yield first + 1, "\n".join(pending)

    def column(self, line: int, char_offset: int) -> int:
        """1-based column in the user's text for a 0-based character offset in line `line`'s `ast` text."""
        user = self.lines[min(max(line, 1), len(self.lines)) - 1]
        i = len(user) - len(user.lstrip(" \t"))  # the indentation the `ast` text lacks
        seen = 0  # characters of the `ast` text so far (`^` is two there)
        while i < len(user) and seen + (2 if user[i] == "^" else 1) <= char_offset:
            seen += 2 if user[i] == "^" else 1
            i += 1
        return i + 1


def split_top_level(text: str, line: int, column: int, operators: str) -> list[Piece]:
    """`text` (a statement or a part of one, starting at `line`/`column`) cut at each operator of
    `operators` that stands outside brackets; `+` and `-` only where they are binary (`x - -y`
    has one cut). One piece means there was nothing to cut."""
    cut_at = frozenset(operators)
    pieces: list[Piece] = []
    operator, start, start_line, start_column = "", -1, line, column
    depth, previous = 0, ""  # the kind of the last token that was not space or a comment
    line_start = -column  # position in `text` of the start of the current line
    for token in re.finditer(_TOKEN, text, re.VERBOSE):  # `re` keeps the compiled pattern
        kind, value, at = token.lastgroup or "", token.group(), token.start()
        if kind in ("space", "newline", "comment"):
            if kind == "newline" or value == "\\\n":
                line, line_start = line + 1, token.end()
            continue
        binary = previous in _OPERAND_END or previous in _CLOSING
        if depth == 0 and value in cut_at and (value not in ("+", "-") or binary):
            if start >= 0:
                pieces.append(Piece(operator, text[start:at], start_line, start_column))
            operator, start = value, -1
            previous = "operator"
            continue
        if start < 0:
            start, start_line, start_column = at, line, at - line_start
        if value in _OPENING:
            depth += 1
        elif value in _CLOSING:
            depth -= 1
        previous = value if value in _CLOSING else kind
    if start >= 0:
        pieces.append(Piece(operator, text[start:], start_line, start_column))
    elif operator:  # text ends in an operator: keep it, so that `ast` reports the syntax error
        pieces.append(Piece(operator, "", line, len(text) - line_start))
    return pieces
