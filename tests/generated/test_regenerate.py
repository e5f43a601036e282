"""scripts/regenerate.py keeps generated/ in step with openapi.yaml, and spec growth is safe.

Each test runs the pinned generator once (about a second), on the repository or on a temporary
copy of the spec; generated/ itself is never written here.
"""

from __future__ import annotations

import difflib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "regenerate.py"
GENERATED = ROOT / "generated" / "agb_api_client"

# The optional field added to a response schema: SessionData is what getSession returns.
NEW_FIELD = {"type": "string", "description": "Region the session runs in."}


def regenerate(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def run_python(code: str, *, path: Path, args: list[str] | None = None) -> None:
    """Run ``code`` (or ``-m args``) in a fresh interpreter that imports from ``path`` first."""
    env = dict(os.environ, PYTHONPATH=str(path), PYTHONDONTWRITEBYTECODE="1")
    command = [sys.executable, *(args if args else ["-c", code])]
    done = subprocess.run(
        command, capture_output=True, text=True, cwd=ROOT, env=env, timeout=120, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module")
def grown_spec(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of openapi.yaml whose SessionData has one more optional property, ``regionId``."""
    spec = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    properties = spec["components"]["schemas"]["SessionData"]["properties"]
    assert "regionId" not in properties
    properties["regionId"] = NEW_FIELD
    path = tmp_path_factory.mktemp("grown-spec") / "openapi.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True))
    return path


def test_check_passes_on_the_repository() -> None:
    done = regenerate("--check")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "generated/agb_api_client is current with openapi.yaml" in done.stdout


def test_check_fails_clearly_when_the_spec_changed(grown_spec: Path) -> None:
    done = regenerate("--check", "--spec", grown_spec)
    assert done.returncode == 1, done.stdout + done.stderr
    first, *rest = done.stderr.splitlines()
    assert first.startswith("generated/agb_api_client is out of date with ")
    assert "run `python scripts/regenerate.py --spec " in first
    assert "changed: models/session_data.py" in rest
    assert "+    region_id: str | Unset = UNSET" in rest


def test_an_added_optional_field_regenerates_and_breaks_nothing(
    grown_spec: Path, tmp_path: Path
) -> None:
    package = tmp_path / "out" / "agb_api_client"
    done = regenerate("--spec", grown_spec, "--output", package)
    assert done.returncode == 0, done.stdout + done.stderr

    # Only the model that grew changed, and only by added lines: old code keeps working.
    changed = [
        rel
        for rel in sorted(p.relative_to(package) for p in package.rglob("*.py"))
        if (package / rel).read_bytes() != (GENERATED / rel).read_bytes()
    ]
    assert changed == [Path("models/session_data.py")]
    assert sorted(p.relative_to(package) for p in package.rglob("*") if p.is_file()) == sorted(
        p.relative_to(GENERATED)
        for p in GENERATED.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    )
    old = (GENERATED / changed[0]).read_text().splitlines()
    new = (package / changed[0]).read_text().splitlines()
    opcodes = difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes()
    assert {tag for tag, *_ in opcodes} == {"equal", "insert"}

    # The new model has the field, and a real call through the new package reads it.
    run_python(
        textwrap.dedent(
            """
            import httpx
            import agb_api_client
            from agb_api_client import AuthenticatedClient
            from agb_api_client.api.sessions import get_session
            from agb_api_client.models import SessionData, SessionIdRequest
            from agb_api_client.types import UNSET

            assert agb_api_client.__file__.startswith(PACKAGE), agb_api_client.__file__
            body = {"success": True, "data": {"sessionId": "s-1", "status": "RUNNING",
                                              "regionId": "cn-hangzhou"}}
            client = AuthenticatedClient(
                base_url="https://sdk-api.agb.cloud", token="k", timeout=httpx.Timeout(5),
                httpx_args={"transport": httpx.MockTransport(
                    lambda request: httpx.Response(200, json=body))},
            )
            with client:
                data = get_session.sync_detailed(
                    client=client, body=SessionIdRequest(session_id="s-1")).parsed.data
            assert isinstance(data, SessionData)
            assert data.region_id == "cn-hangzhou"
            assert data.additional_properties == {}
            assert data.to_dict() == body["data"]
            assert SessionData.from_dict({"sessionId": "s-1"}).region_id is UNSET
            """
        ).replace("PACKAGE", repr(str(package))),
        path=package.parent,
    )
    # And every wire and parsing test passes unchanged against the regenerated package.
    here = Path(__file__).parent
    run_python(
        "",
        path=package.parent,
        args=[
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            str(here / "test_generated_wire.py"),
            str(here / "test_generated_parsing.py"),
        ],
    )
