"""``AGB_LOG_LEVEL``: the published client's switch for the SDK's logging, read at ``import agb``.

``AGB_LOG_LEVEL=debug`` (any case), a number (``10``), or a name of the published client's
loguru levels (``trace``, ``success``) sets the level of the ``agb`` logger (and so of
``agb.retry``, ``agb.wait``...). When the program has configured no logging (the root logger
has no handler), a handler writing to stderr is added to ``agb`` too, so the messages show;
otherwise the program's handlers print them. The handler blots out anything that looks like a
credential (``Bearer ...``, ``api_key=...``, ``token: ...``) besides the API key itself, which
the transport already removes from every record. A value that is not a level is ignored with a
warning on the ``agb`` logger: it never makes ``import agb`` fail (the published client raises
there). Unset or empty, nothing is changed.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Mapping

__all__ = ["ENV_VAR", "LEVELS", "configure_from_env", "parse_level"]

ENV_VAR = "AGB_LOG_LEVEL"

LEVELS: dict[str, int] = {
    "TRACE": 5,  # loguru's name, below DEBUG
    "DEBUG": logging.DEBUG,
    "INFO": logging.INFO,
    "SUCCESS": 25,  # loguru's name, between INFO and WARNING
    "WARNING": logging.WARNING,
    "WARN": logging.WARNING,
    "ERROR": logging.ERROR,
    "CRITICAL": logging.CRITICAL,
    "FATAL": logging.CRITICAL,
    "NOTSET": logging.NOTSET,
}
"""Level names ``AGB_LOG_LEVEL`` accepts (in any case), and what they mean."""

_SECRETS = re.compile(
    r"(?i)((?:api[_-]?key|authorization|token|secret|password)[\"']?\s*[:=]\s*[\"']?"
    r"(?:bearer\s+)?|bearer\s+)[^\s\"',;&]+"
)


def parse_level(value: str) -> int | None:
    """The logging level ``value`` names: a name of :data:`LEVELS` in any case, or a whole
    number from 0 to 100; ``None`` when it is neither."""
    text = value.strip()
    if text.isdecimal() and len(text) <= 3 and int(text) <= 100:
        return int(text)
    return LEVELS.get(text.upper())


class _RedactSecrets(logging.Filter):
    """Blots what looks like a credential out of the records the ``agb`` handler prints."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            text = record.getMessage()
        except Exception:  # a broken record is logging's business
            return True
        clean = _SECRETS.sub(lambda match: f"{match.group(1)}<redacted>", text)
        if clean != text:
            record.msg, record.args = clean, None
        return True


def _handler() -> logging.Handler:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(_RedactSecrets())
    handler.set_name("agb-log-level")
    return handler


def configure_from_env(environ: Mapping[str, str] | None = None) -> int | None:
    """Apply ``AGB_LOG_LEVEL`` from ``environ`` (default ``os.environ``) to the ``agb`` logger.

    Args:
        environ: Where to read the variable.

    Returns:
        The level set, or ``None`` when the variable is unset, empty or not a level (then a
        warning on ``agb`` says so). Never raises.
    """
    value = (os.environ if environ is None else environ).get(ENV_VAR, "")
    if not value.strip():
        return None
    logger = logging.getLogger("agb")
    level = parse_level(value)
    if level is None:
        shown = value if len(value) <= 40 else value[:37] + "..."
        logger.warning(
            "%s=%r is not a log level (use DEBUG, INFO, WARNING, ERROR, CRITICAL, or a number "
            "from 0 to 100); ignored",
            ENV_VAR,
            shown,
        )
        return None
    logger.setLevel(level)
    ours = any(handler.get_name() == "agb-log-level" for handler in logger.handlers)
    if not ours and not logging.getLogger().handlers:
        logger.addHandler(_handler())
    return level
