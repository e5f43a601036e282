"""Python SDK for AGB cloud sessions.

from agb import AGB
from agb.session_params import CreateSessionParams

with AGB() as agb:                      # AGB_API_KEY from the environment
    session = agb.create(CreateSessionParams(image_id="agb-code-space-1")).session
    session.pause()
    session.resume()
    session.delete()
"""

from agb._logging import configure_from_env as _configure_logging
from agb._version import __version__
from agb.client import AGB, OnExit
from agb.config import Config
from agb.context_sync import (
    BWList,
    ContextSync,
    DeletePolicy,
    DownloadPolicy,
    DownloadStrategy,
    ExtractPolicy,
    Lifecycle,
    MappingPolicy,
    RecyclePolicy,
    SyncPolicy,
    UploadMode,
    UploadPolicy,
    UploadStrategy,
    WhiteList,
)
from agb.exceptions import (
    AGBError,
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    ConfigurationError,
    InvalidStateError,
    MalformedResponseError,
    NotFoundError,
    RateLimitError,
    RedirectError,
    ResponseTooLargeError,
    ServerError,
    SessionError,
    UnsendableRequestError,
    UnsupportedOperationError,
    WaitTimeoutError,
)
from agb.model import response as _response
from agb.model.response import *  # noqa: F403
from agb.session import Session
from agb.session_params import CreateSessionParams

_configure_logging()  # AGB_LOG_LEVEL, as the published client reads it (never raises)

__all__ = [
    "AGB",
    "AGBError",
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AuthenticationError",
    "BWList",
    "BadRequestError",
    "ClientClosedError",
    "Config",
    "ConfigurationError",
    "ContextSync",
    "CreateSessionParams",
    "DeletePolicy",
    "DownloadPolicy",
    "DownloadStrategy",
    "ExtractPolicy",
    "InvalidStateError",
    "Lifecycle",
    "MalformedResponseError",
    "MappingPolicy",
    "NotFoundError",
    "OnExit",
    "RateLimitError",
    "RecyclePolicy",
    "RedirectError",
    "ResponseTooLargeError",
    "ServerError",
    "Session",
    "SessionError",
    "SyncPolicy",
    "UnsendableRequestError",
    "UnsupportedOperationError",
    "UploadMode",
    "UploadPolicy",
    "UploadStrategy",
    "WaitTimeoutError",
    "WhiteList",
    "__version__",
]
__all__ += _response.__all__
