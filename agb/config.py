"""Client configuration: where the service is and how long a request may take.

The published client's ``Config(endpoint, timeout_ms)`` works unchanged; the other fields are
optional. Explicit arguments win over the environment (``AGB_ENDPOINT``, ``AGB_TIMEOUT_MS``).
"""

from __future__ import annotations

import math
import os
import urllib.parse
from collections.abc import Mapping

from attrs import define, field

from agb.exceptions import ConfigurationError

__all__ = [
    "DEFAULT_ENDPOINT",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "DEFAULT_TIMEOUT_MS",
    "Config",
    "default_config",
    "endpoint_url",
    "load_config",
]

DEFAULT_ENDPOINT = "sdk-api.agb.cloud"
DEFAULT_TIMEOUT_MS = 60_000
DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024


@define
class Config:
    """Where the AGB service is and how the client talks to it.

    Args:
        endpoint: Host or URL of the service. Without a scheme, ``https://`` is used;
            ``http://`` is kept as given (that is how a local emulator is reached).
        timeout_ms: Timeout of one HTTP request, in milliseconds (default 60000): it bounds
            the whole request (waiting for a connection, connecting, sending, the headers and
            the body), not each read, so a server that drips its answer cannot hold a call.
        max_retries: How many times a request that failed in passing (connection refused,
            HTTP 429 or 5xx on a read) is tried again, with backoff (default 2).
        max_connections: The most requests one client has in flight at once per event loop
            (and its connections); more concurrent calls wait their turn in the SDK. Default
            (``None``): 50 for async calls with the SDK's own async transports (aiohttp when
            the ``aiohttp`` extra is installed, else httpx split into pools of 10), 10 for the
            sync pool and for a transport you pass. Measured on a 50-session pause+resume
            fan-out (``scripts/bench_conditions.py bounds``, docs/performance.md): at 150 ms
            round trip a bound of 50 took 1.3-1.6x the time of one session alone and 10 took
            2.4-2.7x; at 0-40 ms the bound made no difference beyond noise. One httpx pool
            gets slower as it grows (3.8 ms of CPU per request at 50 connections, 1.1 ms in
            pools of 10), which is why the SDK splits it; lower the bound if the service or a
            proxy limits your connections.
        max_response_bytes: The largest answer the client reads, counted after decompression
            (default 10 MiB; the service's answers are a few KiB). A larger one is a failed
            result with a :class:`~agb.exceptions.ResponseTooLargeError` naming the limit, and
            is not retried.
    """

    endpoint: str = DEFAULT_ENDPOINT
    timeout_ms: int = DEFAULT_TIMEOUT_MS
    max_retries: int = field(default=2, kw_only=True)
    max_connections: int | None = field(default=None, kw_only=True)
    max_response_bytes: int = field(default=DEFAULT_MAX_RESPONSE_BYTES, kw_only=True)

    @property
    def base_url(self) -> str:
        """The endpoint as a URL with a scheme and no trailing slash.

        Raises:
            ConfigurationError: If the endpoint is not an http(s) URL or host (see
                :func:`endpoint_url`).
        """
        return endpoint_url(self.endpoint)

    @property
    def timeout_seconds(self) -> float:
        """The request timeout in seconds.

        Raises:
            ConfigurationError: If ``timeout_ms`` is not a positive number.
        """
        value = self.timeout_ms
        if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
            raise ConfigurationError(f"timeout_ms must be a positive number, got {value!r}")
        if not math.isfinite(value):
            raise ConfigurationError(f"timeout_ms must be finite, got {value!r}")
        return float(value) / 1000.0

    def validate(self) -> None:
        """Check every field.

        Raises:
            ConfigurationError: Naming the first field that is wrong.
        """
        _ = self.base_url, self.timeout_seconds
        for name in ("max_retries", "max_connections", "max_response_bytes"):
            value = getattr(self, name)
            if value is None and name == "max_connections":
                continue
            minimum = 0 if name == "max_retries" else 1
            if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
                raise ConfigurationError(f"{name} must be an integer >= {minimum}, got {value!r}")


_SCHEME = "://"


def endpoint_url(endpoint: object) -> str:
    """``endpoint`` as the base URL requests go to: a scheme, a host, no trailing slash.

    Args:
        endpoint: A host (``sdk-api.agb.cloud``, ``127.0.0.1:8000``), which gets ``https://``,
            or an ``http://`` / ``https://`` URL, optionally with a path prefix.

    Returns:
        The URL, e.g. ``"https://sdk-api.agb.cloud"``.

    Raises:
        ConfigurationError: If ``endpoint`` is empty or not text; holds spaces or control
            characters; has another scheme (``ftp://h``); has no host (``http://``); has a user
            name or password (the API key is the only credential; the password is not shown);
            has a query or fragment; or is not a valid URL (an unclosed IPv6 bracket, a bad
            port).
    """
    if not isinstance(endpoint, str) or not endpoint.strip():
        raise ConfigurationError(f"endpoint must be a non-empty host or URL, got {endpoint!r}")
    text = endpoint.strip()
    if any(not char.isprintable() or char.isspace() for char in text):
        raise ConfigurationError("endpoint must not contain spaces or control characters")
    if _SCHEME in text:
        scheme = text.split(_SCHEME, 1)[0]
        if scheme.lower() not in ("http", "https"):
            shown = scheme if len(scheme) <= 20 and scheme.isascii() else scheme[:20] + "..."
            raise ConfigurationError(
                f"endpoint must be an http:// or https:// URL or a host, got scheme {shown!r}"
            )
        url = scheme.lower() + text[len(scheme) :]
    else:
        url = "https://" + text
    # The user name and password never show: cut them out before any message quotes the URL.
    scheme, _, rest = url.partition(_SCHEME)
    authority = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    if "@" in authority:
        host = authority.rsplit("@", 1)[1]
        raise ConfigurationError(
            "endpoint must not contain a user name or password (the API key is the only "
            f"credential): got {scheme}://***@{host}"
        )
    if "?" in url or "#" in url:
        shown = url.split("?", 1)[0].split("#", 1)[0]
        raise ConfigurationError(
            f"endpoint must not have a query or fragment (?... or #...): got {shown!r} with one"
        )
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise ConfigurationError(f"endpoint {url!r} is not a valid URL: {error}") from None
    if not parts.hostname:
        raise ConfigurationError(f"endpoint {url!r} has no host")
    if port == 0:
        raise ConfigurationError(f"endpoint {url!r} has port 0")
    try:
        import httpx  # the client needs it anyway; not at the top to keep config light

        httpx.URL(url)
    except (httpx.InvalidURL, UnicodeError, ValueError) as error:
        raise ConfigurationError(f"endpoint {url!r} is not a valid URL: {error}") from None
    return url.rstrip("/")


def default_config() -> Config:
    """The configuration used when nothing else is given: the AGB cloud, 60 s timeout."""
    return Config(endpoint=DEFAULT_ENDPOINT, timeout_ms=DEFAULT_TIMEOUT_MS)


def load_config(cfg: Config | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """The configuration to use: ``cfg`` as given, else defaults overridden by the environment.

    Args:
        cfg: An explicit configuration; when given, the environment is not read.
        environ: The environment to read (default ``os.environ``).

    Returns:
        The configuration, validated.

    Raises:
        ConfigurationError: If a value is wrong, e.g. ``AGB_TIMEOUT_MS`` is not a number.
    """
    if cfg is None:
        env = os.environ if environ is None else environ
        cfg = default_config()
        endpoint = env.get("AGB_ENDPOINT", "").strip()
        if endpoint:
            cfg.endpoint = endpoint
        timeout = env.get("AGB_TIMEOUT_MS", "").strip()
        if timeout:
            try:
                cfg.timeout_ms = int(timeout)
            except ValueError:
                cfg.timeout_ms = 0
            if cfg.timeout_ms <= 0:
                raise ConfigurationError(
                    f"AGB_TIMEOUT_MS must be a whole number of milliseconds > 0, got {timeout!r}"
                )
    elif not isinstance(cfg, Config):
        raise ConfigurationError(f"cfg must be an agb.config.Config, got {type(cfg).__name__}")
    cfg.validate()
    return cfg
