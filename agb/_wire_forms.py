"""Other spellings of an answer that service versions have sent, rewritten to the one the spec has.

The published client's parsers show more than one form on the wire (``docs/wire-forms.md``):
the envelope in PascalCase (``Success``, ``Code``, ``RequestId``, ``HttpStatusCode``,
``Message``), the whole answer wrapped in ``body``, ``LinkUrl``/``WsUrl``/``Token``/``ToolList``
and ``Status`` beside their camelCase forms, and ``data.isError`` with ``data.errMsg`` meaning
the operation failed inside a ``success: true``. :func:`normalize` turns each into the spec's
form before anything parses the answer, so the generated models and the envelope reader see one
form only. Where both spellings are present, the camelCase one wins unless it is ``null``.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["normalize"]

_ENVELOPE_KEYS = {
    "Success": "success",
    "Code": "code",
    "Message": "message",
    "RequestId": "requestId",
    "HttpStatusCode": "httpStatusCode",
    "Data": "data",
    "NextToken": "nextToken",
    "MaxResults": "maxResults",
    "Count": "count",
}
_DATA_KEYS = {
    "LinkUrl": "linkUrl",
    "WsUrl": "wsUrl",
    "Token": "token",
    "ToolList": "toolList",
    "Status": "status",
    "SessionId": "sessionId",
    "ResourceUrl": "resourceUrl",
}
_SUCCESS_CODES = ("ok", "OK", "Ok", "success", "Success")
# Bytes that only an answer in another form holds; most answers skip the JSON round trip.
_MARKERS = (
    b'"body"',
    b'"isError"',
    *(f'"{key}"'.encode() for key in (*_ENVELOPE_KEYS, *_DATA_KEYS)),
)


def _rename(mapping: dict[str, Any], names: dict[str, str]) -> bool:
    """Give ``mapping`` the camelCase key for each PascalCase one it has; whether it changed."""
    changed = False
    for pascal, camel in names.items():
        if pascal in mapping:
            value = mapping.pop(pascal)
            if mapping.get(camel) is None:
                mapping[camel] = value
            changed = True
    return changed


def _unwrap(payload: dict[str, Any]) -> dict[str, Any] | None:
    """The envelope inside ``body`` when the answer is wrapped, else ``None``."""
    inner = payload.get("body")
    if not isinstance(inner, dict) or "success" in payload or "Success" in payload:
        return None
    if any(key in inner for key in ("success", "Success", "code", "Code")):
        return inner
    return None


def _normalized(payload: dict[str, Any]) -> bool:
    """Rewrite ``payload`` in place to the spec's form; whether anything changed."""
    changed = _rename(payload, _ENVELOPE_KEYS)
    data = payload.get("data")
    if isinstance(data, dict):
        changed = _rename(data, _DATA_KEYS) or changed
        if data.get("isError") is True and payload.get("success") is True:
            payload["success"] = False
            if payload.get("code") in _SUCCESS_CODES:
                payload["code"] = ""  # the service gave no code for the failure
            if not payload.get("message"):
                why = data.get("errMsg")
                payload["message"] = why if isinstance(why, str) and why else "the call failed"
            changed = True
    elif isinstance(data, list):
        for row in data:
            if isinstance(row, dict):
                changed = _rename(row, _DATA_KEYS) or changed
    return changed


def normalize(content: bytes) -> bytes:
    """``content`` in the spec's form: the same bytes when it already is, or is not JSON."""
    if not any(marker in content for marker in _MARKERS):
        return content
    try:
        payload = json.loads(content)
    except (ValueError, RecursionError):
        return content  # the envelope reader says what is wrong with it
    if not isinstance(payload, dict):
        return content
    inner = _unwrap(payload)
    changed = inner is not None
    if inner is not None:
        payload = inner
    if not _normalized(payload) and not changed:
        return content
    return json.dumps(payload, ensure_ascii=False).encode()
