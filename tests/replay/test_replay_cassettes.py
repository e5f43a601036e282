"""Checks on the cassettes themselves: no secret in them, none orphaned, and a replay that cannot
be answered from them fails loudly instead of reaching for the network."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from vcr import VCR, matchers
from vcr.request import Request

from tests.support.cassettes import (
    AUTH_LEAK,
    CASSETTES,
    RECORDING_KEY,
    SCRUBBED_AUTH,
    VCR_CONFIG,
    WRONG_KEY,
    query_sans_sdk_version,
)
from tests.support.emulator import API_KEY as EMULATOR_KEY
from tests.support.emulator import WRONG_API_KEY

HERE = Path(__file__).resolve().parent


def cassette_files() -> list[Path]:
    return sorted(CASSETTES.rglob("*"))


def test_there_are_cassettes() -> None:
    assert len([p for p in cassette_files() if p.suffix == ".yaml"]) >= 30


# The keys of the suites that run a real emulator too: no cassette was recorded with them.
@pytest.mark.parametrize("key", [RECORDING_KEY, WRONG_KEY, EMULATOR_KEY, WRONG_API_KEY])
def test_no_cassette_holds_a_recording_key(key: str) -> None:
    leaks = [
        str(path.relative_to(CASSETTES))
        for path in cassette_files()
        if path.is_file() and key.lower() in path.read_text(errors="replace").lower()
    ]
    assert leaks == []


def test_every_authorization_header_is_scrubbed() -> None:
    leaks, scrubbed = [], 0
    for path in cassette_files():
        if not path.is_file():
            continue
        text = path.read_text(errors="replace")
        leaks += [
            f"{path.relative_to(CASSETTES)}: {m.group(0)!r}" for m in AUTH_LEAK.finditer(text)
        ]
        scrubbed += text.count(SCRUBBED_AUTH)
        if path.suffix == ".yaml":  # every token is the placeholder, quoted or not
            leaks += [
                f"{path.relative_to(CASSETTES)}: unscrubbed {token[:4]}..."
                for token in re.findall(r"Bearer\s+(\S+)", text)
                if token.strip("'\"") != "<scrubbed>"
            ]
    assert leaks == []
    assert scrubbed > 0  # the header was recorded, as the placeholder


def test_every_cassette_belongs_to_a_scenario() -> None:
    orphans = []
    for path in sorted(CASSETTES.rglob("*.yaml")):
        module = HERE / f"{path.parent.name}.py"
        source = module.read_text() if module.is_file() else ""
        if not re.search(rf"^async def {re.escape(path.stem)}\(", source, re.M):
            orphans.append(str(path.relative_to(CASSETTES)))
    assert orphans == [], "cassettes without a scenario: re-record to drop them"


def _request(uri: str) -> Request:
    return Request("POST", uri, b"{}", {"content-type": "application/json"})


def test_query_matcher_ignores_only_the_sdk_version() -> None:
    def create(stats: str, image: str = "agb-code-space-1") -> Request:
        return _request(f"http://127.0.0.1:9/mcp/createSession?imageId={image}&sdkStats={stats}")

    old = create('{"source":"sdk","sdk_version":"0.1.0"}')
    query_sans_sdk_version(old, create('{"sdk_version":"9.9.9","source":"sdk"}'))
    with pytest.raises(AssertionError):
        query_sans_sdk_version(old, create('{"source":"cli","sdk_version":"0.1.0"}'))
    with pytest.raises(AssertionError):
        query_sans_sdk_version(old, create('{"source":"sdk","sdk_version":"0.1.0"}', image="other"))
    with pytest.raises(AssertionError):
        query_sans_sdk_version(old, create("not json"))


# --------------------------------------------------------------------------- failing replays

SCENARIOS = "test_replay_methods"
BROKEN = ("test_get_status", "test_keep_alive", "test_info")


def _interactions(path: Path) -> dict[str, object]:
    loaded: dict[str, object] = yaml.safe_load(path.read_text())
    return loaded


def test_replay_without_its_cassette_fails_clearly(tmp_path: Path) -> None:
    """Break three cassettes of a copy of the suite and replay it (sync variants) in a new pytest.

    * one cassette deleted: the test fails naming the file and how to re-record it;
    * one cassette missing its last interaction: vcrpy refuses the request, naming it;
    * one cassette with an interaction too many: the test fails naming what was not played.
    """
    # The suite, the support package it imports and the package's __init__: the copy must not
    # fall back on this checkout's modules (they would read the unbroken cassettes).
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(HERE, tmp_path / "tests" / "replay", ignore=ignore)
    shutil.copytree(HERE.parent / "support", tmp_path / "tests" / "support", ignore=ignore)
    shutil.copy(HERE.parent / "__init__.py", tmp_path / "tests" / "__init__.py")
    shutil.copytree(CASSETTES, tmp_path / "tests" / "cassettes")
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n"
    )
    cassettes = tmp_path / "tests" / "cassettes" / SCENARIOS
    (cassettes / "test_get_status.yaml").unlink()
    short = cassettes / "test_keep_alive.yaml"
    data = _interactions(short)
    data["interactions"] = data["interactions"][:-1]  # type: ignore[index]
    short.write_text(yaml.safe_dump(data))
    long = cassettes / "test_info.yaml"
    data = _interactions(long)
    data["interactions"] = [*data["interactions"], data["interactions"][-1]]  # type: ignore[index]
    long.write_text(yaml.safe_dump(data))

    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    command = [
        sys.executable,
        "-m",
        "pytest",
        *(f"tests/replay/{SCENARIOS}.py::{name}[sync]" for name in BROKEN),
        "-p",
        "pytest_asyncio.plugin",
        "-p",
        "pytest_recording.plugin",
        "-p",
        "no:cacheprovider",
        "--record-mode=none",
        "--block-network",
        "-q",
        "-rfE",
    ]
    done = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    output = done.stdout + done.stderr
    assert done.returncode == 1, output

    # Deleted: named, with the way out.
    assert f"cassette tests/cassettes/{SCENARIOS}/test_get_status.yaml is missing" in output
    assert "scripts/record_cassettes.py" in output
    # Cut short: vcrpy names the request it could not answer.
    assert "CannotOverwriteExistingCassetteException" in output
    assert "POST http://127.0.0.1:9/mcp/refreshSessionIdleTime" in output
    # One too many: the unplayed interaction is named.
    assert "test_info: interaction #2 POST /mcp/getMcpResource was never played" in output
    for name in BROKEN:
        assert re.search(rf"(FAILED|ERROR) \S+::{name}\[sync\]", output), output


def test_body_matcher_compares_json_not_bytes() -> None:
    def post(body: bytes) -> Request:
        return Request(
            "POST", "http://127.0.0.1:9/mcp/getSession", body, {"content-type": "application/json"}
        )

    recorded = post(b'{"sessionId":"session-1","extra":1}')
    matchers.body(post(b'{"extra": 1, "sessionId": "session-1"}'), recorded)
    with pytest.raises(AssertionError):
        matchers.body(post(b'{"sessionId":"session-2","extra":1}'), recorded)


def test_recorded_request_is_scrubbed_and_anchored() -> None:
    vcr = VCR()
    vcr.register_matcher("query_sans_sdk_version", query_sans_sdk_version)
    config = vcr.get_merged_config(**VCR_CONFIG)
    sent = Request(
        "GET",
        "http://127.0.0.1:54321/sdk/GetLabel?sessionId=s-1",
        b"",
        {
            "authorization": f"Bearer {RECORDING_KEY}",
            "content-type": "application/json",
            "host": "127.0.0.1:54321",
            "user-agent": "agb-sessions-python/0.1.0",
        },
    )
    recorded = config["before_record_request"](sent)
    assert recorded.uri == "http://127.0.0.1:9/sdk/GetLabel?sessionId=s-1"
    assert dict(recorded.headers) == {
        "authorization": SCRUBBED_AUTH,
        "content-type": "application/json",
    }
    assert sent.headers["authorization"] == f"Bearer {RECORDING_KEY}"  # the real one is kept
