"""Arguments that cannot be sent (a lone surrogate, a query over 64 KiB) are refused by name,
and ids the service hands out that could never be sent back are a failed result (issue 12)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agb import AGB, CreateSessionParams, Session
from agb.exceptions import BadRequestError, MalformedResponseError
from tests.support.fakes import SID, FakeServer, Runner, envelope

SURROGATE = "a\ud800b"
HUGE = "x" * 70_000

REFUSED = [
    ("agb", "get_session", (SURROGATE,), {}, "session_id"),
    ("agb", "get", (HUGE,), {}, "session_id"),
    ("agb", "list", (), {"labels": {"k": SURROGATE}}, "label value"),
    ("agb", "list", (), {"labels": {SURROGATE: "v"}}, "label key"),
    ("agb", "list", (), {"labels": {f"k{n}": "v" * 1000 for n in range(70)}}, "labels"),
    ("agb", "list", (), {"next_token": SURROGATE}, "next_token"),
    ("agb", "create", (CreateSessionParams(image_id=SURROGATE),), {}, "image_id"),
    ("agb", "create", (CreateSessionParams(image_id="i", labels={"k": HUGE}),), {}, "label"),
    ("session", "set_labels", ({"k": SURROGATE},), {}, "label value"),
    ("session", "set_labels", ({"k": HUGE},), {}, "label value"),
]


@pytest.mark.parametrize(("target", "method", "args", "kwargs", "named"), REFUSED)
async def test_unsendable_arguments_are_a_failed_result_naming_them(
    run: Runner,
    agb: AGB,
    session: Session,
    server: FakeServer,
    target: str,
    method: str,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    named: str,
) -> None:
    result = await run(agb if target == "agb" else session, method, *args, **kwargs)

    assert not result.success
    assert result.code == "InvalidParameter"
    assert isinstance(result.error, BadRequestError)
    assert named in result.error_message
    assert server.requests == []


@pytest.mark.parametrize("session_id", [SURROGATE, HUGE])
def test_a_session_for_an_unsendable_id_is_refused_by_name(agb: AGB, session_id: str) -> None:
    with pytest.raises(ValueError, match="session_id"):
        Session(agb, session_id)


def _raw_json(text: str) -> httpx.Response:
    return httpx.Response(200, content=text.encode(), headers={"content-type": "application/json"})


async def test_a_session_id_the_service_gives_that_cannot_be_sent_back_fails_create(
    run: Runner, agb: AGB, server: FakeServer
) -> None:
    body = '{"requestId":"r-c","success":true,"code":"ok","data":{"sessionId":"s-\\ud800"}}'
    server.on("/mcp/createSession", _raw_json(body))

    result = await run(agb, "create", CreateSessionParams(image_id="img"))

    assert not result.success
    assert result.session is None
    assert isinstance(result.error, MalformedResponseError)
    assert "surrogate" in result.error_message


async def test_a_session_id_the_service_gives_that_cannot_be_sent_back_fails_get(
    run: Runner, agb: AGB, server: FakeServer
) -> None:
    data = '{"sessionId":"s-\\udc00","status":"RUNNING"}'
    body = '{"requestId":"r-g","success":true,"code":"ok","data":' + data + "}"
    server.on("/mcp/getSession", _raw_json(body))

    result = await run(agb, "get", SID)

    assert not result.success
    assert isinstance(result.error, MalformedResponseError)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(labels=st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=3))
def test_any_labels_give_a_result_never_an_exception(agb: AGB, labels: dict[str, str]) -> None:
    """Hypothesis: every string (surrogates included) is either refused by name or sent."""
    transport_ok = httpx.MockTransport(lambda request: httpx.Response(200, json=envelope()))
    with AGB(api_key="k", cfg=agb.config, transport=transport_ok) as client:
        result = Session(client, SID).set_labels(labels)
    if not result.success:
        assert result.code == "InvalidParameter"
        assert "label" in result.error_message


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(session_id=st.text(max_size=12))
def test_any_session_id_gives_a_result_never_an_exception(agb: AGB, session_id: str) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=envelope({})))
    with AGB(api_key="k", cfg=agb.config, transport=transport) as client:
        result = client.get_session(session_id)
    assert result.success or result.code == "InvalidParameter", result.error_message


async def test_a_page_of_answers_with_a_surrogate_label_is_read(
    run: Runner, session: Session, server: FakeServer
) -> None:
    """What comes back may hold one; only what is sent must be encodable."""
    server.on(
        "/sdk/GetLabel",
        _raw_json(
            '{"requestId":"r","success":true,"data":{"labels":"{\\"k\\": \\"\\\\ud800\\"}"}}'
        ),
    )

    result = await run(session, "get_labels")

    assert result.success
    assert result.data == {"k": "\ud800"}
