"""Labels are checked before any request: a failed result naming the bad key or value."""

from __future__ import annotations

from typing import Any

import pytest

from agb import AGB, CreateSessionParams, Session
from agb.exceptions import BadRequestError
from tests.support.fakes import FakeServer, Runner, ok

BAD_LABELS = [
    pytest.param(None, "NoneType", id="none"),
    pytest.param([("k", "v")], "list", id="list"),
    pytest.param("k=v", "str", id="string"),
    pytest.param({}, "empty", id="empty"),
    pytest.param({"": "v"}, "label key ''", id="empty-key"),
    pytest.param({"   ": "v"}, "label key '   '", id="blank-key"),
    pytest.param({1: "v"}, "label key 1", id="int-key"),
    pytest.param({"ok": "fine", "team": ""}, "label value '' of key 'team'", id="empty-value"),
    pytest.param({"team": " \t"}, "of key 'team'", id="blank-value"),
    pytest.param({"team": None}, "label value None of key 'team'", id="none-value"),
    pytest.param({"team": 7}, "label value 7 of key 'team'", id="int-value"),
]


@pytest.mark.parametrize(("labels", "named"), BAD_LABELS)
async def test_set_labels_refuses_bad_labels_without_a_request(
    run: Runner, session: Session, server: FakeServer, labels: Any, named: str
) -> None:
    server.on("/sdk/SetLabel", ok())

    result = await run(session, "set_labels", labels)

    assert result.success is False
    assert named in result.error_message
    assert result.request_id == ""
    assert isinstance(result.error, BadRequestError)
    assert server.requests == []
    with pytest.raises(BadRequestError):
        result.raise_for_status()


@pytest.mark.parametrize(
    ("labels", "named"), [p for p in BAD_LABELS if p.id not in ("none", "empty")]
)
async def test_create_refuses_bad_labels_without_a_request(
    run: Runner, agb: AGB, server: FakeServer, labels: Any, named: str
) -> None:
    result = await run(agb, "create", CreateSessionParams(image_id="img", labels=labels))

    assert result.success is False
    assert named in result.error_message
    assert server.requests == []


@pytest.mark.parametrize(
    ("labels", "named"), [p for p in BAD_LABELS if p.id not in ("none", "empty")]
)
async def test_list_refuses_a_bad_label_filter_without_a_request(
    run: Runner, agb: AGB, server: FakeServer, labels: Any, named: str
) -> None:
    result = await run(agb, "list", labels=labels)

    assert result.success is False
    assert named in result.error_message
    assert server.requests == []


async def test_good_labels_go_out_as_json_text(
    run: Runner, session: Session, server: FakeServer
) -> None:
    server.on("/sdk/SetLabel", ok())
    labels = {"env": "prod", "owner": "Zoë", "quote": 'say "hi"'}

    result = await run(session, "set_labels", labels)

    assert result.success
    import json

    assert json.loads(server.last.query["Labels"]) == labels


@pytest.mark.parametrize("image_id", [None, "", "   ", 5])
async def test_create_requires_an_image_id(
    run: Runner, agb: AGB, server: FakeServer, image_id: Any
) -> None:
    result = await run(agb, "create", CreateSessionParams(image_id=image_id))

    assert result.success is False
    assert "image_id" in result.error_message
    assert server.requests == []
