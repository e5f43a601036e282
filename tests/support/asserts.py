"""Assertions the suites share: the API key shows nowhere, and a watch on what a call produced."""

from __future__ import annotations

import logging
import time
from typing import Any

import attrs


def assert_no_key(text: str, key: str, *more: str, fragment: bool = False) -> None:
    """No key shows in ``text`` in any case; with ``fragment``, not even the third part of a
    dash-separated key as it is spelled (a key cut short in a message)."""
    for each in (key, *more):
        at = text.lower().find(each.lower())
        assert at < 0, f"the API key shows: ...{_around(text, at, len(each))}..."
        if fragment:
            part = each.split("-")[2]
            at = text.find(part)
            assert at < 0, f"a part of the API key shows: ...{_around(text, at, len(part))}..."


def _around(text: str, at: int, length: int) -> str:
    """The text around a hit, the hit itself masked (a failure report shows no key either)."""
    return text[max(0, at - 60) : at] + "<KEY>" + text[at + length : at + length + 60]


@attrs.define
class Watch:
    """Times one call and gathers every text it produced, to check the shared promises."""

    caplog: Any
    started: float = 0.0
    elapsed: float = 0.0

    def __enter__(self) -> Watch:
        self.caplog.set_level(logging.DEBUG)
        self.started = time.monotonic()
        return self

    def __exit__(self, *exc: object) -> None:
        self.elapsed = time.monotonic() - self.started

    def texts(self, *objects: object) -> str:
        """Every text a user could see: results, their errors, reprs, strs, logs."""
        parts = [record.getMessage() for record in self.caplog.records]
        parts += [self.caplog.text]
        for obj in objects:
            parts += [repr(obj), str(obj)]
            error = getattr(obj, "error", None)
            parts += [repr(error), str(error)]
            if error is not None:
                parts += [repr(vars(error)), repr(getattr(error, "args", ()))]
            parts += [repr(getattr(obj, "__dict__", ""))]
        return "\n".join(parts)
