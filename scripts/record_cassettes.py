"""Re-record the cassettes under tests/cassettes from real traffic, then prove that they replay.

    .venv/bin/python scripts/record_cassettes.py             # every scenario of tests/replay
    .venv/bin/python scripts/record_cassettes.py -k pause    # only the scenarios -k selects

1. Without ``-k``, delete every cassette first, so none is left from a scenario that is gone.
2. Record: ``pytest tests/replay --record-mode=rewrite``. Only the sync variant of each scenario
   runs (tests/replay/conftest.py deselects the rest); each test starts a fresh in-process
   emulator, seeded and on a ManualClock, with faults scripted by the test, and vcrpy writes
   what went over the wire, the API key scrubbed.
3. Replay: ``pytest tests/replay --record-mode=none --block-network``: both variants of every
   scenario, from the new cassettes, with nothing listening, plus the checks on the cassettes
   themselves (no key, nothing left unplayed).

The emulator's seed and clock make the traffic the same on every run, so re-recording gives the
same bytes: ``git diff tests/cassettes`` after this script shows only what really changed.
Exits non-zero if either run fails.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASSETTES = ROOT / "tests" / "cassettes"
SUITE = "tests/replay"
# Coverage of a recording run means nothing; the cache would only hold stale node ids.
QUIET = ["-q", "-p", "no:cacheprovider", "--no-cov"]


def pytest(*args: str) -> int:
    command = [sys.executable, "-m", "pytest", SUITE, *QUIET, *args]
    print("+", " ".join(command[1:]), flush=True)
    return subprocess.call(command, cwd=ROOT)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", dest="keyword", help="record only the scenarios this selects")
    args = parser.parse_args(argv)
    select = ["-k", args.keyword] if args.keyword else []

    if not args.keyword:
        stale = sorted(CASSETTES.rglob("*.yaml"))
        for path in stale:
            path.unlink()
        print(f"deleted {len(stale)} cassettes under {CASSETTES.relative_to(ROOT)}")

    if pytest("--record-mode=rewrite", *select) != 0:
        print("recording failed: see the failures above", file=sys.stderr)
        return 1
    recorded = sorted(CASSETTES.rglob("*.yaml"))
    print(f"{len(recorded)} cassettes under {CASSETTES.relative_to(ROOT)}")

    if pytest("--record-mode=none", "--block-network", *select) != 0:
        print("the new cassettes do not replay: see the failures above", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
