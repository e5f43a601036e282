#!/usr/bin/env python3
"""Regenerate ``generated/agb_api_client`` from ``openapi.yaml``, or check that it is current.

    python scripts/regenerate.py          # rewrite generated/agb_api_client from the spec
    python scripts/regenerate.py --check  # exit 1 and show what differs if it is out of date

``--spec`` and ``--output`` point it at another spec or package folder (the tests use them on
temporary copies); by default it reads ``openapi.yaml`` and writes ``generated/agb_api_client``.

The generator and the formatter are pinned (``PINS`` below, the same as the ``codegen`` extra of
pyproject.toml) so that the output is the same bytes on every machine. Generation runs in a
temporary folder outside the repository, and ruff runs with ``--isolated``, so no ruff
configuration of the project or of a parent folder can change the output.
"""

from __future__ import annotations

import argparse
import difflib
import filecmp
import importlib.metadata
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi.yaml"
PACKAGE = "agb_api_client"
TARGET = ROOT / "generated" / PACKAGE
PINS = {"openapi-python-client": "0.29.1", "ruff": "0.14.14"}
MAX_DIFF_LINES = 200


def check_pins() -> None:
    wrong = []
    for name, want in PINS.items():
        try:
            have = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            have = "not installed"
        if have != want:
            wrong.append(f"{name} {have} (need {want})")
    if wrong:
        pins = " ".join(f"{name}=={version}" for name, version in PINS.items())
        sys.exit(
            "regenerate: wrong code generator tools: "
            + ", ".join(wrong)
            + f"\n  install them with: {sys.executable} -m pip install {pins}"
            + "\n  (or: pip install -e '.[codegen]')"
        )


def generate(spec: Path, into: Path) -> Path:
    """Run the pinned generator on ``spec``; return the folder holding the package."""
    config = into / "codegen.yaml"
    config.write_text(
        f"project_name_override: {PACKAGE}\n"
        f"package_name_override: {PACKAGE}\n"
        "post_hooks:\n"
        "  - 'ruff check --isolated --fix-only --select F401,I --quiet .'\n"
        "  - 'ruff format --isolated --quiet .'\n"
    )
    out = into / PACKAGE
    command = [
        sys.executable,
        "-m",
        "openapi_python_client",
        "generate",
        "--path",
        str(spec),
        "--meta",
        "none",
        "--config",
        str(config),
        "--fail-on-warning",
        "--output-path",
        str(out),
    ]
    # The hooks must find the pinned ruff of this interpreter, not another one on PATH.
    bindir = str(Path(sys.executable).parent)
    env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""))
    env.update(PYTHONHASHSEED="0", RUFF_NO_CACHE="true")
    found = shutil.which("ruff", path=env["PATH"])
    version = subprocess.run(
        [found or "ruff", "--version"], capture_output=True, text=True, check=False
    )
    if not found or version.stdout.split()[-1:] != [PINS["ruff"]]:
        sys.exit(f"regenerate: the ruff on PATH ({found}) is not ruff {PINS['ruff']}")
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=into, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        sys.exit(f"regenerate: the generator failed on {spec} (exit {done.returncode})")
    shutil.rmtree(out / ".ruff_cache", ignore_errors=True)
    # Mark the package as typed so that type checkers read its annotations.
    (out / "py.typed").write_text("")
    return out


def files_of(folder: Path) -> set[Path]:
    return {
        path.relative_to(folder)
        for path in folder.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


def shown(path: Path) -> str:
    """``path`` relative to the repository when it is inside it, for shorter messages."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def differences(fresh: Path, current: Path) -> list[str]:
    """Describe every way ``current`` differs from ``fresh``; empty when identical."""
    if not current.is_dir():
        return [f"{shown(current)} does not exist"]
    new, old = files_of(fresh), files_of(current)
    report = [f"missing: {p}" for p in sorted(new - old)]
    report += [f"not produced by the generator: {p}" for p in sorted(old - new)]
    for rel in sorted(new & old):
        if filecmp.cmp(fresh / rel, current / rel, shallow=False):
            continue
        diff = difflib.unified_diff(
            (current / rel).read_text().splitlines(),
            (fresh / rel).read_text().splitlines(),
            f"{shown(current / rel)} (current)",
            f"{shown(current / rel)} (from the spec)",
            lineterm="",
        )
        report.append(f"changed: {rel}")
        report.extend(diff)
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="do not write; exit 1 if generated/ differs from what the spec gives",
    )
    parser.add_argument(
        "--spec", type=Path, default=SPEC, help="the OpenAPI document (default: openapi.yaml)"
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=TARGET,
        help=f"the package folder to write or check (default: generated/{PACKAGE})",
    )
    args = parser.parse_args()
    spec, target = args.spec.resolve(), args.output.resolve()
    if not spec.is_file():
        sys.exit(f"regenerate: no spec at {spec}")
    check_pins()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="agb-codegen-") as tmp:
        fresh = generate(spec, Path(tmp))
        report = differences(fresh, target)
        took = time.perf_counter() - started
        if args.check:
            if not report:
                print(f"{shown(target)} is current with {shown(spec)} ({took:.1f}s)")
                return 0
            redo = "python scripts/regenerate.py"
            if spec != SPEC:
                redo += f" --spec {shown(spec)}"
            if target != TARGET:
                redo += f" --output {shown(target)}"
            print(
                f"{shown(target)} is out of date with {shown(spec)}:"
                f" run `{redo}` and commit the result.",
                file=sys.stderr,
            )
            for line in report[:MAX_DIFF_LINES]:
                print(line, file=sys.stderr)
            if len(report) > MAX_DIFF_LINES:
                print(f"... and {len(report) - MAX_DIFF_LINES} more lines", file=sys.stderr)
            return 1
        if target.exists():
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(fresh, target)
    changed = len([line for line in report if not line.startswith(("+", "-", "@@", " "))])
    print(
        f"regenerated {shown(target)} from {shown(spec)} in {took:.1f}s ({changed} files changed)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
