"""``wire_form``: the emulator spells answers as other service versions have."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from agb.emulator import EmulatorConfig, serve
from agb.emulator.__main__ import build_parser, config_from_args

KEY = {"authorization": "Bearer k"}


def answers(form: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    with (
        serve(EmulatorConfig(wire_form=form, seed=3)) as server,
        httpx.Client(base_url=server.base_url) as http,
    ):
        created = http.post(
            "/mcp/createSession", params={"imageId": "img"}, json={}, headers=KEY
        ).json()
        sid = (created.get("body", created).get("data") or {})["sessionId"]
        found = http.post("/mcp/getSession", json={"sessionId": sid}, headers=KEY).json()
        missing = http.post("/mcp/getSession", json={"sessionId": "nope"}, headers=KEY).json()
        stats = http.get("/_emulator/stats").json()
    assert "body" not in stats  # the admin API keeps its own form
    return created, found, missing


def test_camel_is_the_spec_form() -> None:
    created, found, missing = answers("camel")
    assert created["success"] is True
    assert created["data"]["linkUrl"].startswith("https://")
    assert found["data"]["status"] == "RUNNING"
    assert (missing["success"], missing["code"]) == (False, "InvalidMcpSession.NotFound")


def test_pascal_spells_the_envelope_and_the_link_fields_in_pascal_case() -> None:
    created, found, missing = answers("pascal")
    assert created["Success"] is True
    assert "success" not in created
    assert {"RequestId", "Code", "Message", "HttpStatusCode"} <= created.keys()
    data = created["data"]
    assert {"LinkUrl", "WsUrl", "Token", "ToolList"} <= data.keys()
    assert "linkUrl" not in data
    assert found["data"]["status"] == "RUNNING"
    assert (missing["Success"], missing["Code"]) == (False, "InvalidMcpSession.NotFound")


def test_body_wraps_every_envelope() -> None:
    created, found, missing = answers("body")
    assert list(created) == ["body"]
    assert created["body"]["success"] is True
    assert found["body"]["data"]["status"] == "RUNNING"
    assert missing["body"]["code"] == "InvalidMcpSession.NotFound"


def test_an_unknown_form_is_refused() -> None:
    with pytest.raises(ValueError, match="wire_form"):
        EmulatorConfig(wire_form="xml")
    with pytest.raises(SystemExit) as stopped:
        build_parser().parse_args(["--wire-form", "xml"])
    assert stopped.value.code == 2
    assert config_from_args(build_parser().parse_args(["--wire-form", "body"])).wire_form == "body"
