"""The pooled httpx clients, with the request layers the SDK does not use taken out.

For a request the generated client makes (a path under the base URL, a JSON body, default
auth, timeout and redirects), :class:`LeanClient` and :class:`LeanAsyncClient` build the
:class:`httpx.Request` themselves from parts prepared once (the URL of each path, the default
headers and the auth header) and hand it to httpx's own send step, with the event hooks run as
httpx runs them. httpx would otherwise re-parse and merge the URL, merge the headers through
its mapping type and run the auth flow as a generator on every call: about a third of the
client's CPU per request (``scripts/bench_conditions.py transports``). Any other request takes
httpx's full path.

Cookies are not kept (:class:`NoCookies`, both clients): the AGB API authenticates with the
API key alone, and the published client keeps no cookies either (a new HTTP session per
call). Parsing each answer's ``Set-Cookie`` cost another tenth of the CPU per request.
"""

from __future__ import annotations

import json as jsonlib
from typing import Any

import httpx
from httpx._client import USE_CLIENT_DEFAULT, UseClientDefault
from httpx._types import (
    AuthTypes,
    CookieTypes,
    HeaderTypes,
    QueryParamTypes,
    RequestContent,
    RequestData,
    RequestExtensions,
    RequestFiles,
    TimeoutTypes,
)

__all__ = ["LeanAsyncClient", "LeanClient", "NoCookies", "drop_cookies"]

# Paths whose URL is kept (the API has about twenty operations; anything past this is built
# afresh each time rather than growing the cache).
_MAX_URLS = 256


class NoCookies(httpx.Cookies):
    """A cookie jar that keeps nothing and adds nothing: the SDK sends no cookies."""

    def extract_cookies(self, response: httpx.Response) -> None:
        """Ignore the answer's ``Set-Cookie`` headers."""

    def set_cookie_header(self, request: httpx.Request) -> None:
        """Add no ``Cookie`` header."""


def drop_cookies(client: httpx.Client | httpx.AsyncClient) -> None:
    """Make ``client`` keep and send no cookies."""
    client._cookies = NoCookies()


class _Parts:
    """What every lean request of one client shares, prepared once."""

    def __init__(self, client: httpx.Client | httpx.AsyncClient, auth_header: str) -> None:
        self.prefix = str(client.base_url).rstrip("/")
        self.fixed = [(name.lower(), value) for name, value in client.headers.items()]
        self.fixed.append(("authorization", auth_header))
        self.has_type = any(name == "content-type" for name, _ in self.fixed)
        self.timeout = client.timeout.as_dict()
        self.urls: dict[str, httpx.URL] = {}

    def url(self, path: str) -> httpx.URL:
        known = self.urls.get(path)
        if known is not None:
            return known
        built = httpx.URL(self.prefix + path)
        if len(self.urls) < _MAX_URLS:
            self.urls[path] = built
        return built

    def build(
        self, method: str, path: str, json: Any, headers: HeaderTypes | None
    ) -> httpx.Request:
        """The request httpx would build for ``request(method, path, json=, headers=)``."""
        pairs = self.fixed
        if isinstance(headers, dict) and headers:
            given = [(str(name).lower(), str(value)) for name, value in headers.items()]
            replaced = {name for name, _ in given}
            pairs = [pair for pair in pairs if pair[0] not in replaced] + given
        body: bytes | None = None
        if json is not None:
            # As httpx encodes a json= body.
            body = jsonlib.dumps(
                json, ensure_ascii=False, separators=(",", ":"), allow_nan=False
            ).encode("utf-8")
            if not self.has_type and not any(name == "content-type" for name, _ in pairs):
                pairs = [*pairs, ("content-type", "application/json")]
        return httpx.Request(
            method.upper(),
            self.url(path),
            headers=pairs,
            content=body,
            extensions={"timeout": self.timeout},
        )


def _leanable(client: httpx.Client | httpx.AsyncClient, url: object, **given: Any) -> bool:
    """Whether a request can be built lean: a path, at most a json body and plain headers,
    every other setting the client's default, and no proxy mounts to choose from."""
    defaults = ("auth", "follow_redirects", "timeout")
    return (
        isinstance(url, str)
        and url.startswith("/")
        and all(given[name] is USE_CLIENT_DEFAULT for name in defaults)
        and all(
            value is None
            for name, value in given.items()
            if name not in defaults and name not in ("json", "headers")
        )
        and (given["headers"] is None or isinstance(given["headers"], dict))
        and not client._mounts  # proxies from the environment: httpx picks the transport
        and not client.is_closed
    )


class LeanClient(httpx.Client):
    """An :class:`httpx.Client` whose :meth:`request` builds the generated client's requests
    from prepared parts (see the module's docstring); it behaves as httpx's own.

    Args:
        auth_header: The ``Authorization`` header's value, sent with every lean request (the
            client's ``auth`` must send the same).
        **kwargs: As :class:`httpx.Client`.
    """

    def __init__(self, *, auth_header: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        drop_cookies(self)
        self._lean = _Parts(self, auth_header)

    def request(
        self,
        method: str,
        url: httpx.URL | str,
        *,
        content: RequestContent | None = None,
        data: RequestData | None = None,
        files: RequestFiles | None = None,
        json: Any | None = None,
        params: QueryParamTypes | None = None,
        headers: HeaderTypes | None = None,
        cookies: CookieTypes | None = None,
        auth: AuthTypes | UseClientDefault | None = USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = USE_CLIENT_DEFAULT,
        timeout: TimeoutTypes | UseClientDefault = USE_CLIENT_DEFAULT,
        extensions: RequestExtensions | None = None,
    ) -> httpx.Response:
        """Send a request and read its answer, as :meth:`httpx.Client.request`.

        Returns:
            The answer, its body read.

        Raises:
            httpx.HTTPError: As httpx's own client.
        """
        given: dict[str, Any] = {
            "content": content, "data": data, "files": files, "json": json, "params": params,
            "headers": headers, "cookies": cookies, "auth": auth,
            "follow_redirects": follow_redirects, "timeout": timeout, "extensions": extensions,
        }  # fmt: skip
        if not _leanable(self, url, **given):
            return super().request(method, url, **given)
        request = self._lean.build(method, str(url), json, headers)
        # httpx's send (no redirects followed, auth already in the headers), hooks included.
        for hook in self._event_hooks["request"]:
            hook(request)
        response = self._send_single_request(request)
        try:
            for hook in self._event_hooks["response"]:
                hook(response)
            response.read()
        except BaseException:
            response.close()
            raise
        return response


class LeanAsyncClient(httpx.AsyncClient):
    """The async twin of :class:`LeanClient`.

    Args:
        auth_header: The ``Authorization`` header's value, sent with every lean request.
        **kwargs: As :class:`httpx.AsyncClient`.
    """

    def __init__(self, *, auth_header: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        drop_cookies(self)
        self._lean = _Parts(self, auth_header)

    async def request(
        self,
        method: str,
        url: httpx.URL | str,
        *,
        content: RequestContent | None = None,
        data: RequestData | None = None,
        files: RequestFiles | None = None,
        json: Any | None = None,
        params: QueryParamTypes | None = None,
        headers: HeaderTypes | None = None,
        cookies: CookieTypes | None = None,
        auth: AuthTypes | UseClientDefault | None = USE_CLIENT_DEFAULT,
        follow_redirects: bool | UseClientDefault = USE_CLIENT_DEFAULT,
        timeout: TimeoutTypes | UseClientDefault = USE_CLIENT_DEFAULT,
        extensions: RequestExtensions | None = None,
    ) -> httpx.Response:
        """Send a request and read its answer, as :meth:`httpx.AsyncClient.request`.

        Returns:
            The answer, its body read.

        Raises:
            httpx.HTTPError: As httpx's own client.
        """
        given: dict[str, Any] = {
            "content": content, "data": data, "files": files, "json": json, "params": params,
            "headers": headers, "cookies": cookies, "auth": auth,
            "follow_redirects": follow_redirects, "timeout": timeout, "extensions": extensions,
        }  # fmt: skip
        if not _leanable(self, url, **given):
            return await super().request(method, url, **given)
        request = self._lean.build(method, str(url), json, headers)
        for hook in self._event_hooks["request"]:
            await hook(request)
        response = await self._send_single_request(request)
        try:
            for hook in self._event_hooks["response"]:
                await hook(response)
            await response.aread()
        except BaseException:
            await response.aclose()
            raise
        return response
