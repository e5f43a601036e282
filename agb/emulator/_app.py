"""The Starlette app: the operations' routes, the admin API and the middleware, put together."""

from __future__ import annotations

import asyncio

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import Route

from agb.emulator._admin import ADMIN_ROUTES
from agb.emulator._config import EmulatorConfig
from agb.emulator._handlers import ROUTES, endpoint
from agb.emulator._middleware import EmulatorMiddleware, http_exception, install_log_filter
from agb.emulator._operations import OPERATIONS
from agb.emulator._state import Emulator
from agb.emulator._wire import DroppedConnection

__all__ = ["DroppedConnection", "create_app"]

# The real delay of faults and network latency when the configuration gives no ``sleep``.
# Kept as a module attribute so that tests may replace it (monkeypatch).
_sleep = asyncio.sleep


async def _module_sleep(seconds: float) -> None:
    await _sleep(seconds)


def create_app(config: EmulatorConfig | None = None) -> Starlette:
    """Build the emulator's ASGI app.

    Args:
        config: How it behaves; ``None`` for the defaults.

    Returns:
        The app; ``app.state.emulator`` is its :class:`~agb.emulator.Emulator`.
    """
    emulator = Emulator(config)
    routes = [
        Route(
            op.path,
            endpoint(
                emulator,
                ROUTES[op.operation_id],
                operation_id=op.operation_id,
                reads_body=op.method != "GET",
                body_required=True,  # the spec requires a JSON body on every POST
            ),
            methods=[op.method],
        )
        for op in OPERATIONS
    ]
    routes += [
        Route(
            path,
            # The admin API is lenient: an empty body is {}.
            endpoint(
                emulator,
                handler,
                operation_id="",
                reads_body=methods != ("GET",),
                body_required=False,
            ),
            methods=list(methods),
        )
        for path, (methods, handler) in ADMIN_ROUTES.items()
    ]
    install_log_filter()
    sleep = emulator.config.sleep or _module_sleep
    app = Starlette(
        routes=routes,
        middleware=[Middleware(EmulatorMiddleware, emulator=emulator, sleep=sleep)],
        exception_handlers={HTTPException: http_exception},
    )
    app.state.emulator = emulator
    return app
