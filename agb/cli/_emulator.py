"""``agb emulator``: the same command line as ``python -m agb.emulator``.

The arguments go to the emulator's own entry point (``agb.emulator.__main__.main``) unchanged,
so the options are always the emulator's. They are checked first with the emulator's own parser
(and its configuration class), so that a bad argument is one line from ``agb`` rather than an
argparse usage block.
"""

from __future__ import annotations

from typing import NoReturn

import click

from agb.cli._app import cli

__all__ = ["emulator"]


def _refuse(message: str) -> NoReturn:
    raise click.UsageError(message)


@cli.command(
    context_settings={"ignore_unknown_options": True, "help_option_names": []},
    add_help_option=False,
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
@click.pass_context
def emulator(ctx: click.Context, args: tuple[str, ...]) -> None:
    """Run a local AGB-compatible emulator (options as python -m agb.emulator; -h lists them)."""
    try:
        from agb.emulator.__main__ import build_parser, config_from_args
        from agb.emulator.__main__ import main as run_emulator
    except ImportError as error:
        raise click.ClickException(
            f"the emulator needs the 'emulator' extra ({error.name} is missing): "
            "pip install 'agb-sessions[emulator]'"
        ) from None
    argv = list(args)
    parser = build_parser()
    parser.prog = "agb emulator"
    if "-h" in argv or "--help" in argv:
        click.echo(parser.format_help(), nl=False)
        return
    setattr(parser, "error", _refuse)  # noqa: B010 (a method cannot be assigned directly)
    parsed = parser.parse_args(argv)
    try:
        config_from_args(parsed)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    ctx.exit(run_emulator(argv))
