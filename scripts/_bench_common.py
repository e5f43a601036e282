"""Shared pieces of the benchmarks: an emulator in a subprocess, the peer's venv, statistics.

Stdlib only at import time (httpx is imported where it is used), so that the peer's side
(``_bench_client.py``, run by another interpreter) never needs anything from this checkout.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import selectors
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"
CLIENT_SCRIPT = SCRIPTS / "_bench_client.py"
KEY = "bench-key-not-a-secret"
PEER_SPEC = "agbcloud-sdk==0.7.0"
PEER_VENV = Path(os.environ.get("AGB_BENCH_PEER_VENV", ROOT / ".venv-bench-peer"))
CORE_VENV = Path(os.environ.get("AGB_BENCH_CORE_VENV", ROOT / ".venv-bench-core"))
AIOHTTP_VENV = Path(os.environ.get("AGB_BENCH_AIOHTTP_VENV", ROOT / ".venv-bench-aiohttp"))
READY = "AGB emulator listening on "


# --------------------------------------------------------------------------- statistics


@dataclass(frozen=True)
class Stat:
    """Median and spread of repeated measurements."""

    values: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def low(self) -> float:
        return min(self.values)

    @property
    def high(self) -> float:
        return max(self.values)

    def show(self, fmt: str = ".2f", unit: str = "") -> str:
        """``median (min-max, n=R)``."""
        return (
            f"{self.median:{fmt}}{unit} (spread {self.low:{fmt}}-{self.high:{fmt}}, "
            f"n={len(self.values)})"
        )

    def show_short(self, fmt: str = ".2f", unit: str = "") -> str:
        """``median (min-max)``, for tables."""
        if len(self.values) == 1:
            return f"{self.median:{fmt}}{unit}"
        return f"{self.median:{fmt}}{unit} ({self.low:{fmt}}-{self.high:{fmt}})"

    def as_dict(self) -> dict[str, Any]:
        return {
            "median": self.median,
            "min": self.low,
            "max": self.high,
            "values": list(self.values),
        }


def stat(values: Sequence[float]) -> Stat:
    return Stat(tuple(float(v) for v in values))


def verdict(ok: bool) -> str:
    return "MET" if ok else "NOT MET"


def print_header(title: str) -> None:
    print(f"\n== {title} ==", flush=True)


# --------------------------------------------------------------------------- emulator


@dataclass
class EmulatorProcess:
    """An emulator running in a subprocess (``python -m agb.emulator --port 0``)."""

    url: str
    process: subprocess.Popen[str]
    api_key: str

    def client(self) -> Any:
        import httpx

        return httpx.Client(
            base_url=self.url, headers={"authorization": f"Bearer {self.api_key}"}, timeout=30
        )

    def stats(self) -> dict[str, Any]:
        with self.client() as client:
            answer: dict[str, Any] = client.get("/_emulator/stats").json()["data"]
            return answer

    def cpu_seconds(self) -> float:
        """CPU time the emulator process used so far (user + system)."""
        parts = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")

    def create_sessions(self, count: int, image_id: str = "bench-image") -> list[str]:
        """``count`` new sessions' ids (created by 8 threads: 10,000 take seconds, not tens)."""
        from concurrent.futures import ThreadPoolExecutor

        with self.client() as client:

            def create(_: int) -> str:
                answer = client.post(
                    "/mcp/createSession", params={"imageId": image_id}, json={}
                ).json()
                return str(answer["data"]["sessionId"])

            with ThreadPoolExecutor(8 if count > 50 else 1) as pool:
                return list(pool.map(create, range(count)))


@contextlib.contextmanager
def ready_process(
    command: list[str], ready: str, what: str, timeout: float = 30.0, **popen: Any
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """Start ``command``, wait for its stdout line starting with ``ready``; yield the process and
    the rest of that line (a URL). The process is stopped on exit."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, **popen)
    try:
        assert process.stdout is not None
        selector = selectors.DefaultSelector()
        selector.register(process.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + timeout
        url = ""
        while not url:
            if process.poll() is not None:
                raise RuntimeError(f"{what} exited with {process.returncode}: {command}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not start within {timeout} s")
            if selector.select(timeout=0.2):
                line = process.stdout.readline()
                if line.startswith(ready):
                    url = line[len(ready) :].strip()
        selector.close()
        yield process, url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def emulator(*options: str, api_key: str = KEY, timeout: float = 30.0) -> Iterator[EmulatorProcess]:
    """Start ``python -m agb.emulator --port 0 <options>`` on 127.0.0.1; stop it on exit."""
    command = [sys.executable, "-m", "agb.emulator", "--host", "127.0.0.1", "--port", "0"]
    command += ["--api-key", api_key, *options]
    with ready_process(
        command, READY, "the emulator", timeout, cwd=ROOT, stderr=subprocess.DEVNULL
    ) as (process, url):
        yield EmulatorProcess(url, process, api_key)


def _load() -> str:
    """The load averages: other work on a shared machine moves every figure."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} / {fifteen:.1f} (1 / 5 / 15 min)"


def run_benchmarks(benchmarks: dict[str, Any], results: dict[str, Any], args: Any) -> int:
    """Run the benchmark ``args.benchmark`` names (or all), then write ``results`` to
    ``args.json`` when given; print the time it all took."""
    chosen = list(benchmarks) if args.benchmark == "all" else [args.benchmark]
    started = time.perf_counter()
    print(f"machine: {os.cpu_count()} cores, {_load()}", flush=True)
    for name in chosen:
        benchmarks[name](args)
    print(f"\n({time.perf_counter() - started:.0f} s; {_load()})")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    return 0


# --------------------------------------------------------------------------- the peer


class PeerUnavailable(RuntimeError):
    """The published client could not be installed or imported (the message says why)."""


def peer_python(*, reinstall: bool = False) -> Path:
    """The interpreter of a venv holding the published client, creating it when needed."""
    python = PEER_VENV / "bin" / "python"
    marker = PEER_VENV / ".bench-peer-spec"
    if reinstall or not python.exists() or not marker.exists() or marker.read_text() != PEER_SPEC:
        print(f"installing {PEER_SPEC} into {PEER_VENV} (once) ...", flush=True)
        created = subprocess.run(
            [sys.executable, "-m", "venv", "--clear", str(PEER_VENV)],
            capture_output=True,
            text=True,
        )
        if created.returncode != 0:
            raise PeerUnavailable(f"python -m venv failed: {created.stderr.strip()[-2000:]}")
        installed = subprocess.run(
            [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q", PEER_SPEC],
            capture_output=True,
            text=True,
        )
        if installed.returncode != 0:
            lines = [
                line
                for line in (installed.stderr + installed.stdout).splitlines()
                if "is ignored: it is neither a file nor a directory" not in line
            ]
            raise PeerUnavailable(
                f"pip install {PEER_SPEC} failed (exit {installed.returncode}):\n"
                + "\n".join(lines[-40:])
            )
        marker.write_text(PEER_SPEC)
    probe = run_python(
        python,
        ["-c", "import agb, importlib.metadata as m; print(m.version('agbcloud-sdk'))"],
        check=False,
    )
    if probe.returncode != 0:
        raise PeerUnavailable(f"import agb fails in the peer venv:\n{probe.stderr[-3000:]}")
    return python


def checkout_python(venv: Path, extras: str = "") -> Path:
    """A venv holding this checkout (editable) with only ``extras`` (``""``: none), created
    when missing or when pyproject.toml changed.

    The dev venv also holds click and rich, which ``import httpx`` then imports too (for its
    command line), and every extra: measuring there would charge the SDK for tools a user does
    not install, and would pick the async transport of an install the user may not have.
    """
    python = venv / "bin" / "python"
    marker = venv / ".bench-checkout-spec"
    spec = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    if not python.exists() or not marker.exists() or marker.read_text() != spec:
        what = f"[{extras}]" if extras else "without extras"
        print(f"installing this checkout {what} into {venv} (once) ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
        target = f"{ROOT}[{extras}]" if extras else str(ROOT)
        installed = subprocess.run([*pip, "-e", target], capture_output=True, text=True)
        if installed.returncode != 0:
            raise RuntimeError(f"pip install -e {target} failed:\n{installed.stderr[-3000:]}")
        marker.write_text(spec)
    return python


def core_python() -> Path:
    """This checkout as ``pip install agb-sessions`` ships it: no extras, so the async calls
    go through httpx split into pools of 10 (``agb._sharded``)."""
    return checkout_python(CORE_VENV)


def aiohttp_python() -> Path:
    """This checkout as ``pip install 'agb-sessions[aiohttp]'`` ships it: async calls go
    through aiohttp (``agb._aiohttp``)."""
    return checkout_python(AIOHTTP_VENV, "aiohttp")


def run_python(
    python: Path | str,
    args: Sequence[str],
    *,
    check: bool = True,
    env: dict[str, str] | None = None,
    timeout: float = 600,
) -> subprocess.CompletedProcess[str]:
    """Run ``python -I args`` from an empty directory (so ``import agb`` finds that venv's)."""
    with tempfile.TemporaryDirectory(prefix="agb-bench-") as cwd:
        done = subprocess.run(
            [str(python), "-I", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            env={**os.environ, **(env or {})},
            timeout=timeout,
        )
    if check and done.returncode != 0:
        raise RuntimeError(
            f"{python} {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}"
        )
    return done


def run_json(python: Path | str, args: Sequence[str], **kwargs: Any) -> dict[str, Any]:
    """Run a helper that prints one JSON object as its last line of output."""
    done = run_python(python, args, **kwargs)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result
