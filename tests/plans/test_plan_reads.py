"""Plans that read: labels across pages, links, input refused before any request."""

from __future__ import annotations

import json

import pytest

from agb import exceptions as exc
from agb._plans import create, get_labels, get_link, list
from agb._retry import RetryPolicy
from agb_api_client.models import CreateSessionData, LinkData
from tests.support.plans import drive, labels, ok, server_error

POLICY = RetryPolicy()


def test_get_labels_follows_every_page() -> None:
    pages = [labels(json.dumps({f"k{n}": "v"}), f"t{n + 1}" if n < 149 else "") for n in range(150)]
    driven = drive(get_labels(POLICY, "s-1"), {"getLabel": pages})
    assert driven.result.success
    assert len(driven.result.data) == 150
    assert len(driven.calls) == 150
    assert [call.kwargs["next_token"] for _, call in driven.calls][1:3] == ["t1", "t2"]


def test_get_labels_fails_on_a_page_token_it_was_already_given() -> None:
    pages = [labels('{"a": "1"}', "t1"), labels('{"b": "2"}', "t2"), labels('{"c": "3"}', "t1")]
    driven = drive(get_labels(POLICY, "s-1"), {"getLabel": pages})
    assert not driven.result.success
    assert isinstance(driven.result.error, exc.MalformedResponseError)
    assert "t1" in driven.result.error_message
    assert len(driven.calls) == 3


@pytest.mark.parametrize("text", ["[", "[1]", "[" * 100_000, '{"a": ' + "9" * 5000 + "}"])
def test_unreadable_labels_are_a_failed_result_not_an_exception(text: str) -> None:
    driven = drive(get_labels(POLICY, "s-1"), {"getLabel": [labels(text)]})
    assert not driven.result.success
    assert isinstance(driven.result.error, exc.MalformedResponseError)


def test_get_link_reads_the_url_and_refuses_a_missing_one() -> None:
    driven = drive(
        get_link(POLICY, "s-1", "https", 30100), {"getLink": [ok("getLink", LinkData(url="u"))]}
    )
    assert driven.result.data == "u"
    assert driven.calls[0][1].kwargs["port"] == 30100
    empty = drive(get_link(POLICY, "s-1", None, None), {"getLink": [ok("getLink", LinkData())]})
    assert isinstance(empty.result.error, exc.MalformedResponseError)


@pytest.mark.parametrize(
    "plan",
    [
        get_link(POLICY, "s-1", "ftp", None),
        get_link(POLICY, "s-1", None, 80),
        list(POLICY, {"a": 1}, None, None, None),
        list(POLICY, None, 2, None, "t"),
        create(POLICY, None, timeout=1, interval=1),
    ],
)
def test_input_refused_before_any_request(plan) -> None:
    driven = drive(plan, {})
    result = getattr(driven.result, "result", driven.result)
    assert result.code == "InvalidParameter"
    assert driven.calls == []


def test_create_returns_a_record_not_a_session() -> None:
    from agb import CreateSessionParams

    data = CreateSessionData(session_id="s-9", resource_url="https://r")
    reply = ok("createSession", data, request_id="r-c")
    driven = drive(
        create(POLICY, CreateSessionParams(image_id="img"), timeout=1, interval=1),
        {"createSession": [reply]},
    )
    assert driven.result.result.success
    assert driven.result.result.session is None
    assert driven.result.record.session_id == "s-9"
    assert driven.result.record.image_id == "img"


def test_a_failed_read_keeps_the_replys_error() -> None:
    driven = drive(get_link(POLICY, "s-1", None, None), {"getLink": [server_error("getLink")]})
    assert isinstance(driven.result.error, exc.ServerError)
    assert len(driven.calls) == POLICY.max_retries + 1
