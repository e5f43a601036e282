"""The envelope reader skips its walk for hostile content only when the raw bytes prove there
is none: every answer the walk would refuse is still walked."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agb._envelope import _MAX_DIGITS, MAX_ANSWER_DEPTH, _hostile, _may_be_hostile

# Strings that matter here: brackets, backslashes, \u escapes once encoded, digits.
_TEXT = st.text(alphabet=st.sampled_from('[]{}"\\u0123456789 ab\u00e9\u2028'), max_size=12)


def _nested(depth: int) -> st.SearchStrategy[Any]:
    leaf = st.one_of(st.none(), st.booleans(), st.integers(), _TEXT)
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3),
            st.dictionaries(_TEXT, inner, max_size=3),
            inner.map(lambda value: json.dumps(value)),  # JSON text inside a string
        ),
        max_leaves=depth,
    )


def _deep(levels: int, leaf: Any = 1) -> Any:
    value = leaf
    for _ in range(levels):
        value = [value]
    return value


@settings(max_examples=300, deadline=None)
@given(payload=_nested(80), ascii_only=st.booleans())
def test_whatever_the_walk_refuses_is_walked(payload: Any, ascii_only: bool) -> None:
    content = json.dumps({"success": True, "data": payload}, ensure_ascii=ascii_only).encode()
    if _hostile(json.loads(content)):
        assert _may_be_hostile(content)


@pytest.mark.parametrize("levels", range(MAX_ANSWER_DEPTH - 4, MAX_ANSWER_DEPTH + 3))
@pytest.mark.parametrize("form", ["nested", "text", "escaped-text"])
def test_at_the_depth_limit_the_precheck_never_skips_a_refusal(levels: int, form: str) -> None:
    if form == "nested":
        content = json.dumps({"success": True, "data": _deep(levels)}).encode()
    elif form == "text":
        content = json.dumps({"success": True, "data": {"labels": "[" * levels + "]" * levels}})
        content = content.encode()
    else:  # the opening brackets only as \u005b escapes in the raw bytes
        inner = b"\\u005b" * levels + b"]" * levels
        content = b'{"success": true, "data": {"labels": "' + inner + b'"}}'
    refused = _hostile(json.loads(content))
    assert bool(refused) == (levels >= MAX_ANSWER_DEPTH - (1 if form == "nested" else -1))
    if refused:
        assert _may_be_hostile(content)


def test_long_digit_strings_and_escapes_are_walked_and_a_typical_answer_is_not() -> None:
    digits = json.dumps({"success": True, "data": {"count": "9" * (_MAX_DIGITS + 1)}}).encode()
    assert _hostile(json.loads(digits))
    assert _may_be_hostile(digits)
    typical = json.dumps(
        {"success": True, "requestId": "r-1", "data": {"sessionId": "s-1", "status": "PAUSED"}}
    ).encode()
    assert not _may_be_hostile(typical)
    assert _may_be_hostile(b'{"success": true, "data": "\\u005b"}')
