"""Line and column of a JSON pointer in a JSON text, so descriptor errors can name a line."""

from __future__ import annotations

import json

_decoder = json.JSONDecoder()
_WS = " \t\r\n"


def _skip(text: str, i: int) -> int:
    while i < len(text) and text[i] in _WS:
        i += 1
    return i


def _walk(text: str, i: int, path: tuple, out: dict) -> int:
    i = _skip(text, i)
    out[path] = i
    if text[i] == "{":
        i = _skip(text, i + 1)
        if text[i] == "}":
            return i + 1
        while True:
            key, i = json.decoder.scanstring(text, _skip(text, i) + 1)
            i = _skip(text, i) + 1  # the colon
            i = _skip(text, _walk(text, i, path + (key,), out))
            if text[i] == "}":
                return i + 1
            i += 1  # the comma
    if text[i] == "[":
        i = _skip(text, i + 1)
        if text[i] == "]":
            return i + 1
        index = 0
        while True:
            i = _skip(text, _walk(text, i, path + (index,), out))
            index += 1
            if text[i] == "]":
                return i + 1
            i += 1
    _, end = _decoder.raw_decode(text, i)
    return end


def positions(text: str) -> dict[tuple, tuple[int, int]]:
    """Map every JSON path (a tuple of keys and indexes) to its (line, column), 1-based."""
    offsets: dict[tuple, int] = {}
    _walk(text, 0, (), offsets)
    starts = [0]
    for n, ch in enumerate(text):
        if ch == "\n":
            starts.append(n + 1)
    import bisect

    result = {}
    for path, offset in offsets.items():
        line = bisect.bisect_right(starts, offset)
        result[path] = (line, offset - starts[line - 1] + 1)
    return result


def locate(text: str, path: tuple) -> tuple[int | None, int | None]:
    """The position of `path`, or of its nearest existing ancestor."""
    try:
        table = positions(text)
    except (ValueError, IndexError):
        return None, None
    path = tuple(path)
    while path not in table and path:
        path = path[:-1]
    return table.get(path, (None, None))
