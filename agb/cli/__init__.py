"""The ``agb`` command line: ``agb demo``, ``agb emulator`` and ``agb sessions ...``.

Installed with the ``cli`` extra (``pip install 'agb-sessions[cli]'``, or ``[demo]``)::

    agb demo                        # the whole lifecycle against an embedded emulator
    agb emulator --port 8080        # a local AGB-compatible service
    agb sessions list --json        # against AGB_ENDPOINT with AGB_API_KEY
"""

from __future__ import annotations

from collections.abc import Sequence

from agb.cli import _demo, _emulator, _sessions
from agb.cli._app import cli

__all__ = ["cli", "main"]

_COMMANDS = (_demo, _emulator, _sessions)  # imported for the commands they add to ``cli``


def main(argv: Sequence[str] | None = None) -> None:
    """Run the ``agb`` command line (the console script); exits with the command's status."""
    cli.main(args=argv, prog_name="agb")
