"""The other spellings of an answer (docs/wire-forms.md) are read as the spec's form."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agb._wire_forms import normalize


def norm(payload: Any) -> Any:
    return json.loads(normalize(json.dumps(payload).encode()))


def test_pascal_case_envelope_keys_become_camel_case() -> None:
    answer = {"Success": True, "Code": "ok", "HttpStatusCode": 200, "Message": "", "RequestId": "r"}
    assert norm(answer) == {
        "success": True,
        "code": "ok",
        "httpStatusCode": 200,
        "message": "",
        "requestId": "r",
    }


@pytest.mark.parametrize(
    "answer",
    [
        {"body": {"Success": True, "RequestId": "req-d3"}},
        {"body": {"success": True, "requestId": "req-d3"}},
    ],
)
def test_an_envelope_wrapped_in_body_is_unwrapped(answer: dict[str, Any]) -> None:
    assert norm(answer) == {"success": True, "requestId": "req-d3"}


def test_a_body_that_is_not_an_envelope_stays() -> None:
    for answer in ({"body": "text"}, {"body": {"x": 1}}, {"success": True, "body": {"code": "x"}}):
        assert norm(answer) == answer


def test_data_keys_in_pascal_case_and_the_camel_case_one_wins_unless_null() -> None:
    answer = {
        "success": True,
        "data": {"LinkUrl": "https://l", "WsUrl": "wss://w", "Token": "T", "ToolList": "[]"},
    }
    assert norm(answer)["data"] == {
        "linkUrl": "https://l",
        "wsUrl": "wss://w",
        "token": "T",
        "toolList": "[]",
    }
    both = {"success": True, "data": {"linkUrl": "https://camel", "LinkUrl": "https://pascal"}}
    assert norm(both)["data"] == {"linkUrl": "https://camel"}
    null = {"success": True, "data": {"linkUrl": None, "LinkUrl": "https://pascal"}}
    assert norm(null)["data"] == {"linkUrl": "https://pascal"}
    rows = {"success": True, "data": [{"SessionId": "s-1", "sessionStatus": "RUNNING"}, 3]}
    assert norm(rows)["data"] == [{"sessionId": "s-1", "sessionStatus": "RUNNING"}, 3]


def test_is_error_inside_a_success_is_a_failure() -> None:
    answer = {"success": True, "code": "ok", "data": {"isError": True, "errMsg": "not ready"}}
    assert norm(answer) == {
        "success": False,
        "code": "",
        "message": "not ready",
        "data": {"isError": True, "errMsg": "not ready"},
    }
    said = {"success": True, "code": "X", "message": "m", "data": {"isError": True}}
    assert norm(said)["message"] == "m"
    assert norm(said)["code"] == "X"
    assert norm({"success": True, "data": {"isError": True}})["message"] == "the call failed"
    assert norm({"success": True, "data": {"isError": False}}) == {
        "success": True,
        "data": {"isError": False},
    }


@pytest.mark.parametrize(
    "content",
    [
        b'{"success":true,"code":"ok","data":{"sessionId":"s","status":"RUNNING"}}',
        b"<html><title>502</title></html>",
        b'{"Success": true',  # cut JSON: the envelope reader says what is wrong
        b'["Success"]',
        b"",
        b'{"labels": "{\\"Status\\": \\"x\\"}"}',
    ],
)
def test_anything_else_is_left_byte_for_byte(content: bytes) -> None:
    assert normalize(content) is content


@given(
    st.binary(max_size=300)
    | st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=8),
        lambda inner: st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                ["Success", "body", "data", "Code", "isError", "LinkUrl", "success", "x"]
            ),
            inner,
            max_size=4,
        ),
        max_leaves=20,
    ).map(lambda value: json.dumps(value).encode())
)
def test_never_raises(content: bytes) -> None:
    assert isinstance(normalize(content), bytes)
