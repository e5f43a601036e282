"""``agb sessions ...`` against a real emulator on loopback: output, --json, exit codes."""

from __future__ import annotations

import json

import pytest

from agb.emulator import EmulatorConfig, ManualClock, RunningEmulator
from tests.support.cli import API_KEY, FAST, WAIT, Agb, one_line_error, sleeps_move

COMMANDS = ["list", "create", "get", "labels", "info", "link", "pause", "resume", "delete"]


@pytest.fixture
def agb_emulator_config() -> EmulatorConfig:
    """The plugin's emulators here: the CLI tests' key and fast transitions."""
    return EmulatorConfig(api_key=API_KEY, **FAST)


@pytest.fixture
def manual(
    agb_emulator_manual: RunningEmulator, agb_emulator_clock: ManualClock
) -> tuple[Agb, ManualClock]:
    """``agb`` pointed at an emulator on a manual clock: its statuses change when the clock is
    moved, never because of how fast (or busy) this machine is."""
    server = agb_emulator_manual
    env = {"AGB_ENDPOINT": server.base_url, "AGB_API_KEY": API_KEY, "AGB_TIMEOUT_MS": None}
    return Agb(env), agb_emulator_clock


def test_help_lists_every_command(agb: Agb) -> None:
    top = agb("--help")
    assert top.exit_code == 0
    for name in ("demo", "emulator", "sessions", "AGB_API_KEY", "Exit status"):
        assert name in top.stdout
    group = agb("sessions", "--help")
    assert group.exit_code == 0
    for name in COMMANDS:
        assert f"  {name} " in group.stdout
        assert agb("sessions", name, "-h").exit_code == 0


def test_version(agb: Agb) -> None:
    result = agb("--version")
    assert result.exit_code == 0
    assert result.stdout.startswith("agb, version ")


def test_create_get_labels_info_link(agb: Agb) -> None:
    created = agb.json(
        "sessions", "create", "--image", "agb-code-space-1", "--label", "env=test",
        "--context", "ctx-1:/home/data", "--idle-release-timeout", "600",
    )  # fmt: skip
    assert created["success"] is True
    assert created["request_id"]
    session_id = created["session"]["session_id"]
    assert created["session"]["image_id"] == "agb-code-space-1"

    got = agb.json("sessions", "get", session_id)
    assert got["data"]["status"] == "RUNNING"
    assert got["data"]["session_id"] == session_id
    text = agb("sessions", "get", session_id)
    assert text.exit_code == 0
    assert "status:" in text.stdout
    assert "RUNNING" in text.stdout

    assert agb.json("sessions", "labels", session_id)["data"] == {"env": "test"}
    replaced = agb("sessions", "labels", session_id, "--set", "a=1", "--set", "b=2")
    assert replaced.exit_code == 0
    assert replaced.stdout.splitlines() == ["a=1", "b=2"]

    info = agb.json("sessions", "info", session_id)
    assert info["data"]["session_id"] == session_id
    assert "resource_url" in agb("sessions", "info", session_id).stdout

    link = agb.json("sessions", "link", session_id, "--port", "30100", "--protocol", "https")
    assert link["data"].startswith("https://")
    plain = agb("sessions", "link", session_id, "--port", "30101")
    assert plain.exit_code == 0
    assert plain.stdout.strip() == link["data"].replace("30100", "30101")


def test_create_prints_the_id_alone(agb: Agb) -> None:
    result = agb("sessions", "create", "--image", "agb-code-space-1")
    assert result.exit_code == 0
    session_id = result.stdout.strip()
    assert session_id.startswith("session-")
    assert "request" in result.stderr


def test_list_filters_by_label_and_pages(agb: Agb) -> None:
    mine = [agb.create("team=cli") for _ in range(3)]
    agb.create("team=other")
    listed = agb.json("sessions", "list", "--label", "team=cli", "--limit", "2")
    assert listed["total_count"] == 3
    assert listed["session_ids"] == mine[:2]
    assert listed["next_token"]
    rest = agb.json("sessions", "list", "--label", "team=cli", "--limit", "2", "--page", "2")
    assert rest["session_ids"] == mine[2:]
    by_token = agb.json(
        "sessions", "list", "--label", "team=cli", "--limit", "2",
        "--next-token", listed["next_token"],
    )  # fmt: skip
    assert by_token["session_ids"] == mine[2:]
    table = agb("sessions", "list", "--label", "team=cli")
    assert table.exit_code == 0
    assert table.stdout.splitlines()[0].split() == ["SESSION", "ID", "STATUS"]
    assert all(session_id in table.stdout for session_id in mine)


def test_pause_resume_delete(
    manual: tuple[Agb, ManualClock], monkeypatch: pytest.MonkeyPatch
) -> None:
    agb, clock = manual
    sleeps_move(clock, monkeypatch)
    session_id = agb.create()
    paused = agb("sessions", "pause", session_id, *WAIT, "--json")
    assert paused.exit_code == 0, paused.output
    data = json.loads(paused.stdout)
    assert (data["success"], data["status"], data["error_type"]) == (True, "PAUSED", None)
    assert data["elapsed"] > 0
    # Progress goes to stderr, one line per status the SDK's polls saw.
    assert f"pausing {session_id}: PAUSED" in paused.stderr
    assert "PAUSING" in paused.stderr

    resumed = agb("sessions", "resume", session_id, *WAIT)
    assert resumed.exit_code == 0, resumed.output
    assert resumed.stdout.startswith("RUNNING after ")

    deleted = agb("sessions", "delete", session_id, "--sync-context", *WAIT, "--json")
    assert deleted.exit_code == 0, deleted.output
    data = json.loads(deleted.stdout)
    assert data["success"] is True
    assert data["context_synced"] is True

    gone = agb("sessions", "get", session_id)
    one_line_error(gone, 1, "Session not found", "InvalidMcpSession.NotFound")


@pytest.mark.parametrize(
    "args",
    [
        ["get"],
        ["labels"],
        ["labels", "--set", "a=b"],
        ["info"],
        ["link"],
        ["pause", *WAIT],
        ["resume", *WAIT],
        ["delete", *WAIT],
    ],
    ids=lambda args: "-".join(a for a in args if not a.startswith("-") and "." not in a),
)
def test_unknown_session_is_a_one_line_failure(agb: Agb, args: list[str]) -> None:
    command = ["sessions", args[0], "session-unknown", *args[1:]]
    line = one_line_error(agb(*command), 1)
    assert "not found" in line.lower()
    # With --json the failed result is still printed, and parses.
    as_json = agb(*command, "--json")
    assert as_json.exit_code == 1
    data = json.loads(as_json.stdout)
    assert data["success"] is False
    assert data["error_type"] == "NotFoundError"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["sessions", "get"], "Missing argument 'ID'"),
        (["sessions", "create"], "--image"),
        (["sessions", "create", "--image", "i", "--label", "novalue"], "KEY=VALUE"),
        (["sessions", "create", "--image", "i", "--context", "nopath"], "CONTEXT_ID:PATH"),
        (["sessions", "list", "--limit", "0"], "--limit"),
        (["sessions", "list", "--page", "x"], "--page"),
        (["sessions", "pause", "s-1", "--timeout", "-1"], "--timeout"),
        (["sessions", "resume", "s-1", "--poll-interval", "0"], "--poll-interval"),
        (["sessions", "link", "s-1", "--port", "http"], "--port"),
        (["sessions", "get", "s-1", "--bogus"], "--bogus"),
        (["sessions", "frobnicate"], "frobnicate"),
        (["frobnicate"], "frobnicate"),
        (["--timeout-ms", "abc", "sessions", "list"], "--timeout-ms"),
        (["--timeout-ms", "0", "sessions", "list"], "--timeout-ms"),
        (["sessions", "get", ""], "ID"),
    ],
)
def test_bad_arguments_are_one_line(agb: Agb, args: list[str], needle: str) -> None:
    line = one_line_error(agb(*args), 2, needle)
    assert "--help" in line


def test_bad_timeout_in_environment_is_one_line(agb: Agb) -> None:
    one_line_error(agb("sessions", "list", env={"AGB_TIMEOUT_MS": "soon"}), 2, "--timeout-ms")


def test_missing_key_is_one_line(agb: Agb) -> None:
    one_line_error(agb("sessions", "list", env={"AGB_API_KEY": None}), 2, "AGB_API_KEY")


def test_wrong_key_is_one_line_and_never_printed(agb: Agb) -> None:
    secret = "not-the-key-" + "x" * 20
    result = agb("--api-key", secret, "sessions", "list", "--json")
    one_line_error(result, 1, "AccessDenied")
    assert secret not in result.output
    assert json.loads(result.stdout)["error_type"] == "AuthenticationError"


def test_unreachable_endpoint_is_one_line(agb: Agb) -> None:
    result = agb("--endpoint", "http://127.0.0.1:9", "--timeout-ms", "2000", "sessions", "list")
    one_line_error(result, 1, "list:")
    assert API_KEY not in result.output


def test_link_port_out_of_range_is_refused(agb: Agb) -> None:
    session_id = agb.create()
    # Refused by the SDK before sending: a bad argument, exit status 2 (issue 10).
    one_line_error(agb("sessions", "link", session_id, "--port", "80"), 2, "30100")


def test_wait_timeout_is_a_failure(manual: tuple[Agb, ManualClock]) -> None:
    agb, _ = manual  # its clock stands still: the pause cannot finish before the timeout
    session_id = agb.create()
    result = agb("sessions", "pause", session_id, "--timeout", "0.05", "--poll-interval", "0.01")
    one_line_error(result, 1, "pause:")
    assert "WaitTimeout" in result.stderr or "time" in result.stderr


def test_service_error_is_one_line(agb: Agb, emu: RunningEmulator) -> None:
    session_id = agb.create()
    emu.emulator.faults.add(
        "http_status", path="/mcp/pauseSessionAsync", status=409, code="Conflict", message="no"
    )
    result = agb("sessions", "pause", session_id, *WAIT, "--json")
    one_line_error(result, 1, "Conflict")
    assert json.loads(result.stdout)["http_status_code"] == 409


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["sessions", "link", "SID", "--protocol", "ftp"], "protocol_type"),
        (["sessions", "list", "--page", "2", "--next-token", "t-1"], "not both"),
        (["sessions", "labels", "SID", "--set", "a= "], "label value"),
    ],
)
def test_arguments_the_sdk_refuses_exit_2(agb: Agb, args: list[str], needle: str) -> None:
    session_id = agb.create()
    command = [session_id if arg == "SID" else arg for arg in args]
    one_line_error(agb(*command), 2, needle)
    as_json = agb(*command, "--json")
    assert as_json.exit_code == 2
    assert json.loads(as_json.stdout)["code"] == "InvalidParameter"
