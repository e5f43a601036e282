"""Compressed answers: every content coding httpx knows is inflated in bounded steps, and a
corrupt one is a failed result, never a raw zlib or decoding exception."""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Callable

import httpx
import pytest

from agb import AGB, Config
from agb.exceptions import APIConnectionError

KEY = "sk-encodings-0123456789"
BODY = json.dumps(
    {"success": True, "requestId": "r-1", "data": {"sessionId": "s-1", "status": "RUNNING"}}
).encode()


def raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


ENCODINGS: dict[str, tuple[str, Callable[[bytes], bytes]]] = {
    "gzip": ("gzip", gzip.compress),
    "deflate-zlib": ("deflate", zlib.compress),
    "deflate-raw": ("deflate", raw_deflate),
    "gzip-twice": ("gzip, gzip", lambda data: gzip.compress(gzip.compress(data))),
}


def client(coding: str, content: bytes) -> AGB:
    def handler(request: httpx.Request) -> httpx.Response:
        headers = {"content-encoding": coding}
        return httpx.Response(200, headers=headers, stream=httpx.ByteStream(content))

    return AGB(
        KEY,
        Config("http://127.0.0.1:9", max_retries=0),
        transport=httpx.MockTransport(handler),
        async_transport=httpx.MockTransport(handler),
    )


async def get(agb: AGB, variant: str) -> object:
    if variant == "sync":
        return agb.get_session("s-1")
    return await agb.get_session_async("s-1")


@pytest.mark.parametrize("variant", ["sync", "async"])
@pytest.mark.parametrize("name", ENCODINGS)
async def test_each_coding_is_read(name: str, variant: str) -> None:
    coding, encode = ENCODINGS[name]
    with client(coding, encode(BODY)) as agb:
        result = await get(agb, variant)
    assert result.success, result.error_message  # type: ignore[attr-defined]
    assert result.data.status == "RUNNING"  # type: ignore[attr-defined]


@pytest.mark.parametrize("variant", ["sync", "async"])
@pytest.mark.parametrize(
    ("coding", "content"),
    [
        ("gzip", gzip.compress(BODY)[:-12] + b"\x00" * 12),  # bad checksum
        ("gzip", b"\x1f\x8b\x08\x00garbage-after-the-magic"),
        ("deflate", b"\x78\x9c" + b"\xff" * 20),
    ],
    ids=["gzip-bad-checksum", "gzip-garbage", "deflate-garbage"],
)
async def test_a_corrupt_body_is_a_failed_result(coding: str, content: bytes, variant: str) -> None:
    with client(coding, content) as agb:
        result = await get(agb, variant)
    assert result.success is False  # type: ignore[attr-defined]
    error = result.error  # type: ignore[attr-defined]
    assert isinstance(error, APIConnectionError)
    assert "corrupt" in error.message
    assert KEY not in repr(result)
