"""The ``agb`` command line: ``agb demo``, ``agb emulator`` and ``agb sessions ...``.

Installed with the ``cli`` extra (``pip install 'agb-sessions[cli]'``, or ``[demo]``)::

    agb demo                        # the whole lifecycle against an embedded emulator
    agb emulator --port 8080        # a local AGB-compatible service
    agb sessions list --json        # against AGB_ENDPOINT with AGB_API_KEY

The console script is installed with the package, the extra may not be: without click,
``agb`` says which extra to install instead of failing with a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agb.cli._app import AgbGroup

__all__ = ["cli", "main"]


def _load() -> AgbGroup:
    from agb.cli import _demo, _emulator, _sessions  # noqa: F401  (they add the commands)
    from agb.cli._app import cli

    return cli


def main(argv: Sequence[str] | None = None) -> None:
    """Run the ``agb`` command line (the console script); exits with the command's status."""
    try:
        command = _load()
    except ImportError as error:
        if error.name != "click":
            raise
        print(
            "agb: error: the agb command needs the 'cli' extra: pip install 'agb-sessions[cli]'",
            file=sys.stderr,
        )
        sys.exit(2)
    command.main(args=argv, prog_name="agb")


def __getattr__(name: str) -> Any:
    """``agb.cli.cli``, the click group, loaded on first use."""
    if name == "cli":
        return _load()
    raise AttributeError(f"module 'agb.cli' has no attribute {name!r}")
