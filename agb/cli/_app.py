"""The root ``agb`` command: global options, the client they configure, and one-line errors."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import attrs
import click

from agb._version import __version__
from agb.cli._output import one_line
from agb.cli._progress import Progress
from agb.client import AGB
from agb.config import DEFAULT_ENDPOINT, DEFAULT_TIMEOUT_MS, Config
from agb.exceptions import ConfigurationError

__all__ = ["AgbGroup", "ConfigProblem", "GlobalOptions", "cli"]

EXIT_HELP = """\b
Exit status: 0 success; 1 the operation failed (the reason is printed on one line);
2 bad arguments or configuration; 130 interrupted.
"""


class ConfigProblem(click.ClickException):
    """The CLI cannot make a client (no API key, bad endpoint): one line, exit status 2."""

    exit_code = 2


@attrs.define
class GlobalOptions:
    """The options given before the command: where the service is and how to reach it.

    Attributes:
        endpoint: ``--endpoint`` or ``AGB_ENDPOINT`` (``None``: the AGB cloud).
        api_key: ``--api-key`` or ``AGB_API_KEY``; never printed.
        timeout_ms: ``--timeout-ms`` or ``AGB_TIMEOUT_MS`` (``None``: 60000).
    """

    endpoint: str | None = None
    api_key: str | None = attrs.field(default=None, repr=False)
    timeout_ms: int | None = None

    def config(self, endpoint: str | None = None) -> Config:
        """The SDK configuration these options describe (``endpoint`` overrides theirs)."""
        return Config(
            endpoint=endpoint or self.endpoint or DEFAULT_ENDPOINT,
            timeout_ms=self.timeout_ms or DEFAULT_TIMEOUT_MS,
        )

    def client(
        self,
        progress: Progress | None = None,
        *,
        endpoint: str | None = None,
        api_key: str | None = None,
    ) -> AGB:
        """A client for these options; with ``progress``, its waits are shown there.

        Raises:
            ConfigProblem: If there is no API key or the configuration is wrong.
        """
        key = api_key or self.api_key
        if not key or not key.strip():
            raise ConfigProblem(
                "no API key: pass --api-key or set AGB_API_KEY "
                "(any non-empty key works for a local emulator)"
            )
        extra: dict[str, Any] = {}
        if progress is not None:
            extra = {"sleep": progress.sleep}
        try:
            agb = AGB(api_key=key, cfg=self.config(endpoint), **extra)
        except ConfigurationError as error:
            raise ConfigProblem(str(error)) from None
        if progress is not None:
            agb.runner.observer = progress.observe
        return agb


class AgbGroup(click.Group):
    """A click group whose errors are one line on stderr, never a usage block or traceback."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the command line and exit with its status (see ``agb --help``)."""
        extra["windows_expand_args"] = windows_expand_args
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            result = super().main(
                args, prog_name or "agb", complete_var, standalone_mode=False, **extra
            )
        except click.UsageError as error:
            hint = f" (see '{error.ctx.command_path} --help')" if error.ctx is not None else ""
            click.echo(f"agb: error: {one_line(error.format_message())}{hint}", err=True)
            sys.exit(error.exit_code)
        except click.ClickException as error:
            click.echo(f"agb: error: {one_line(error.format_message())}", err=True)
            sys.exit(error.exit_code)
        except click.Abort:
            click.echo("agb: interrupted", err=True)
            sys.exit(130)
        sys.exit(result if isinstance(result, int) else 0)


@click.group(
    cls=AgbGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=EXIT_HELP,
)
@click.option(
    "--endpoint",
    envvar="AGB_ENDPOINT",
    show_envvar=True,
    metavar="URL",
    help="Host or URL of the AGB service (default: sdk-api.agb.cloud). "
    "Use http://HOST:PORT for a local emulator.",
)
@click.option(
    "--api-key",
    envvar="AGB_API_KEY",
    show_envvar=True,
    metavar="KEY",
    help="API key (prefer the environment variable; the key is never printed).",
)
@click.option(
    "--timeout-ms",
    type=click.IntRange(min=1),
    envvar="AGB_TIMEOUT_MS",
    show_envvar=True,
    metavar="MS",
    help="Timeout of one HTTP request in milliseconds (default: 60000).",
)
@click.version_option(__version__, "-V", "--version", prog_name="agb")
@click.pass_context
def cli(
    ctx: click.Context, endpoint: str | None, api_key: str | None, timeout_ms: int | None
) -> None:
    """Work with AGB cloud sessions, or try the SDK against a local emulator.

    Start with `agb demo`: with no AGB_API_KEY it runs the whole session lifecycle against an
    emulator started on the spot.
    """
    ctx.obj = GlobalOptions(
        endpoint=endpoint or None, api_key=api_key or None, timeout_ms=timeout_ms
    )
