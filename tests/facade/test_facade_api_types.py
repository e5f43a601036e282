"""Typed results (unwrap, generic data, SessionInfo) and the 0.12.0 link getters (issue 14)."""

from __future__ import annotations

import json

import pytest

from agb import (
    AGB,
    AuthenticationError,
    CreateSessionParams,
    NotFoundError,
    OperationResult,
    Session,
    SessionResult,
)
from tests.support.fakes import NOT_FOUND, SID, FakeServer, Runner, fail, ok, session_data

LINKS_PASCAL = {
    "LinkUrl": "https://link.example.invalid/s-1",
    "WsUrl": "wss://ws.example.invalid/s-1",
    "Token": "FAKE-TOKEN",
}
LINKS_CAMEL = {
    "linkUrl": "https://link.example.invalid/c",
    "wsUrl": "wss://ws.example.invalid/c",
    "token": "FAKE-CAMEL",
}


async def test_create_unwrap_gives_the_session(run: Runner, agb: AGB, server: FakeServer) -> None:
    server.on("/mcp/createSession", ok({"sessionId": "s-new", **LINKS_CAMEL}))

    result = await run(agb, "create", CreateSessionParams(image_id="img"))
    session = result.unwrap()

    assert isinstance(session, Session)
    assert session.session_id == "s-new"
    assert session.get_link_url() == "https://link.example.invalid/c"
    assert session.get_token() == "FAKE-CAMEL"
    assert session.ws_url == "wss://ws.example.invalid/c"
    assert "FAKE-CAMEL" not in repr(session)


async def test_create_reads_the_pascal_case_link_keys(
    run: Runner, agb: AGB, server: FakeServer
) -> None:
    server.on("/mcp/createSession", ok({"sessionId": "s-new", **LINKS_PASCAL}))

    session = (await run(agb, "create", CreateSessionParams(image_id="img"))).unwrap()

    assert session.get_link_url() == LINKS_PASCAL["LinkUrl"]
    assert session.ws_url == LINKS_PASCAL["WsUrl"]
    assert session.get_token() == "FAKE-TOKEN"


async def test_create_keeps_the_network_interface_ip(
    run: Runner, agb: AGB, server: FakeServer
) -> None:
    server.on("/mcp/createSession", ok({"sessionId": "s-new", "networkInterfaceIp": "10.0.0.7"}))

    session = (await run(agb, "create", CreateSessionParams(image_id="img"))).unwrap()

    assert session.network_interface_ip == "10.0.0.7"
    assert Session(agb, "s-other").network_interface_ip == ""


async def test_unwrap_of_a_failure_raises_its_typed_error(
    run: Runner, agb: AGB, server: FakeServer
) -> None:
    server.on("/mcp/getSession", NOT_FOUND)

    result = await run(agb, "get", SID)

    assert isinstance(result, SessionResult)
    with pytest.raises(NotFoundError) as caught:
        result.unwrap()
    assert caught.value.request_id == "req-gone"


@pytest.mark.parametrize("links", [LINKS_PASCAL, LINKS_CAMEL], ids=["PascalCase", "camelCase"])
async def test_get_and_get_session_fill_the_links(
    run: Runner, agb: AGB, server: FakeServer, links: dict[str, str]
) -> None:
    server.on("/mcp/getSession", ok(session_data("RUNNING", **links)))
    expected = list(links.values())

    session = (await run(agb, "get", SID)).unwrap()
    found = await run(agb, "get_session", SID)

    assert [session.get_link_url(), session.ws_url, session.get_token()] == expected
    assert found.data is not None
    assert [found.data.link_url, found.data.ws_url, found.data.token] == expected
    assert expected[2] not in repr(found.data)


async def test_a_camel_case_null_does_not_hide_the_pascal_case_value(
    run: Runner, agb: AGB, server: FakeServer
) -> None:
    server.on(
        "/mcp/getSession",
        ok(session_data("RUNNING", linkUrl=None, LinkUrl="https://link.example.invalid/p")),
    )

    session = (await run(agb, "get", SID)).unwrap()

    assert session.get_link_url() == "https://link.example.invalid/p"
    assert session.get_token() == ""


async def test_a_session_made_by_hand_has_empty_links(agb: AGB) -> None:
    session = Session(agb, SID)
    assert session.get_link_url() == ""
    assert session.get_token() == ""


async def test_info_is_typed_and_fills_the_links(
    run: Runner, session: Session, server: FakeServer
) -> None:
    server.on(
        "/mcp/getMcpResource",
        ok({"sessionId": SID, "resourceUrl": "https://r.invalid/", **LINKS_PASCAL}),
    )

    info = (await run(session, "info")).unwrap()

    assert info == {
        "session_id": SID,
        "resource_url": "https://r.invalid/",
        "link_url": LINKS_PASCAL["LinkUrl"],
        "ws_url": LINKS_PASCAL["WsUrl"],
        "token": "FAKE-TOKEN",
    }
    assert session.get_link_url() == LINKS_PASCAL["LinkUrl"]
    assert session.get_token() == "FAKE-TOKEN"


async def test_info_without_links_keeps_the_sessions_links(
    run: Runner, session: Session, server: FakeServer
) -> None:
    session.link_url = "https://before.invalid/"
    server.on("/mcp/getMcpResource", ok({"sessionId": SID, "resourceUrl": "https://r.invalid/"}))

    info = (await run(session, "info")).unwrap()

    assert "link_url" not in info
    assert session.get_link_url() == "https://before.invalid/"


async def test_get_labels_gives_strings(run: Runner, session: Session, server: FakeServer) -> None:
    labels = {"team": "sdk", "n": 3, "on": True, "nested": {"a": 1}}
    server.on("/sdk/GetLabel", ok({"labels": json.dumps(labels), "nextToken": ""}))

    result = await run(session, "get_labels")

    assert result.unwrap() == {"team": "sdk", "n": "3", "on": "true", "nested": '{"a": 1}'}
    assert all(isinstance(value, str) for value in result.unwrap().values())


async def test_get_link_unwraps_to_the_url(
    run: Runner, session: Session, server: FakeServer
) -> None:
    server.on("/internet/getLink", ok({"url": "https://s-1.link.invalid/"}))

    assert (await run(session, "get_link")).unwrap() == "https://s-1.link.invalid/"


async def test_operation_unwrap_of_a_failure_raises(
    run: Runner, session: Session, server: FakeServer
) -> None:
    server.on("/internet/getLink", fail(403, "AccessDenied", "no", request_id="r-no"))

    result = await run(session, "get_link")

    assert not result.success
    assert result.data is None
    with pytest.raises(AuthenticationError):
        result.unwrap()


def test_results_are_generic_at_runtime_too() -> None:
    assert OperationResult[str](success=True, data="x").unwrap() == "x"
    assert OperationResult[None](success=True).unwrap() is None


def test_link_fields_of_a_model_without_extra_keys_are_empty() -> None:
    from agb._reading import link_fields

    assert link_fields(object()) == {"link_url": "", "ws_url": "", "token": ""}
