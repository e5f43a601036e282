"""Result types of the SDK (see :mod:`agb.model.response`)."""

from agb.model.response import (
    ApiResponse,
    ContextTaskResult,
    DeleteResult,
    GetSessionData,
    GetSessionResult,
    OperationResult,
    SessionListResult,
    SessionPauseResult,
    SessionResult,
    SessionResumeResult,
    SessionStatusResult,
    SessionSummary,
)

__all__ = [
    "ApiResponse",
    "ContextTaskResult",
    "DeleteResult",
    "GetSessionData",
    "GetSessionResult",
    "OperationResult",
    "SessionListResult",
    "SessionPauseResult",
    "SessionResult",
    "SessionResumeResult",
    "SessionStatusResult",
    "SessionSummary",
]
