"""Helpers for the emulator tests: the wire operations as plain HTTP calls, envelope asserts."""

from __future__ import annotations

import json
from typing import Any

import httpx

API_KEY = "test-key-not-secret"
AUTH = {"authorization": f"Bearer {API_KEY}"}
TRANSITION = 1.0
STALE = 0.2
SYNC = 0.5


class Wire:
    """The AGB operations as plain HTTP calls, shaped as the wire facts say (nothing hidden)."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client

    def create(self, image_id: str = "agb-code-space-1", **body: Any) -> httpx.Response:
        return self.client.post("/mcp/createSession", params={"imageId": image_id}, json=body)

    def create_id(self, labels: dict[str, str] | None = None, **body: Any) -> str:
        if labels is not None:
            body["labels"] = json.dumps(labels)
        response = self.create(**body)
        assert response.status_code == 200, response.text
        session_id: str = response.json()["data"]["sessionId"]
        return session_id

    def post_sid(self, path: str, session_id: str) -> httpx.Response:
        return self.client.post(path, json={"sessionId": session_id})

    def get(self, session_id: str) -> httpx.Response:
        return self.post_sid("/mcp/getSession", session_id)

    def status(self, session_id: str) -> str:
        response = self.get(session_id)
        assert response.status_code == 200, response.text
        status: str = response.json()["data"]["status"]
        return status

    def info_status(self, session_id: str) -> httpx.Response:
        return self.post_sid("/mcp/getSessionInfo", session_id)

    def pause(self, session_id: str) -> httpx.Response:
        return self.post_sid("/mcp/pauseSessionAsync", session_id)

    def resume(self, session_id: str) -> httpx.Response:
        return self.post_sid("/mcp/resumeSessionAsync", session_id)

    def release(self, session_id: str) -> httpx.Response:
        return self.post_sid("/mcp/releaseSessionAsync", session_id)

    def resource(self, session_id: str) -> httpx.Response:
        return self.post_sid("/mcp/getMcpResource", session_id)

    def set_labels(self, session_id: str, labels: Any) -> httpx.Response:
        text = labels if isinstance(labels, str) else json.dumps(labels)
        return self.client.post(
            "/sdk/SetLabel", params={"sessionId": session_id, "Labels": text}, json={}
        )

    def get_labels(self, session_id: str, **params: Any) -> httpx.Response:
        return self.client.get("/sdk/GetLabel", params={"sessionId": session_id, **params})

    def list(self, labels: Any = None, **params: Any) -> httpx.Response:
        if labels is not None:
            params["labels"] = labels if isinstance(labels, str) else json.dumps(labels)
        return self.client.get("/sdk/ListSession", params=params)

    def link(self, session_id: str, **params: Any) -> httpx.Response:
        return self.client.get("/internet/getLink", params={"sessionId": session_id, **params})

    def refresh(self, session_id: str) -> httpx.Response:
        return self.client.post(
            "/mcp/refreshSessionIdleTime", params={"sessionId": session_id}, json={}
        )

    def sync(self, session_id: str, **params: Any) -> httpx.Response:
        return self.client.post(
            "/sdk/SyncContext", params={"sessionId": session_id, **params}, json={}
        )

    def context_tasks(self, session_id: str, **params: Any) -> list[dict[str, Any]]:
        response = self.client.get(
            "/sdk/GetContextInfo", params={"sessionId": session_id, **params}
        )
        assert response.status_code == 200, response.text
        outer = json.loads(response.json()["data"]["contextStatus"])
        tasks: list[dict[str, Any]] = []
        for item in outer:
            if item["type"] == "data":
                tasks.extend(json.loads(item["data"]))
        return tasks


def assert_error(response: httpx.Response, status: int, code: str, *words: str) -> dict[str, Any]:
    """The response is an error envelope with this status and code, naming ``words``."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert body["success"] is False
    assert body["code"] == code
    assert body["httpStatusCode"] == status
    assert body["requestId"] == response.headers["x-request-id"]
    for word in words:
        assert word.lower() in body["message"].lower(), body["message"]
    return body


def assert_ok(response: httpx.Response) -> dict[str, Any]:
    """The response is a success envelope."""
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["success"] is True
    assert body["code"] == "ok"
    assert body["httpStatusCode"] == 200
    assert body["requestId"]
    assert body["requestId"] == response.headers["x-request-id"]
    return body
