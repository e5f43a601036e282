"""Contains all the data models used in inputs/outputs"""

from .context_info_data import ContextInfoData
from .context_status_item import ContextStatusItem
from .context_task import ContextTask
from .create_session_data import CreateSessionData
from .create_session_request import CreateSessionRequest
from .create_session_response import CreateSessionResponse
from .desktop_info import DesktopInfo
from .empty_request import EmptyRequest
from .envelope import Envelope
from .error_response import ErrorResponse
from .get_context_info_response import GetContextInfoResponse
from .get_label_response import GetLabelResponse
from .get_link_response import GetLinkResponse
from .get_mcp_resource_response import GetMcpResourceResponse
from .get_session_info_response import GetSessionInfoResponse
from .get_session_response import GetSessionResponse
from .label_data import LabelData
from .link_data import LinkData
from .list_sessions_response import ListSessionsResponse
from .mcp_resource_data import McpResourceData
from .operation_response import OperationResponse
from .persistence_data import PersistenceData
from .session_data import SessionData
from .session_id_request import SessionIdRequest
from .session_status_data import SessionStatusData
from .session_summary import SessionSummary

__all__ = (
    "ContextInfoData",
    "ContextStatusItem",
    "ContextTask",
    "CreateSessionData",
    "CreateSessionRequest",
    "CreateSessionResponse",
    "DesktopInfo",
    "EmptyRequest",
    "Envelope",
    "ErrorResponse",
    "GetContextInfoResponse",
    "GetLabelResponse",
    "GetLinkResponse",
    "GetMcpResourceResponse",
    "GetSessionInfoResponse",
    "GetSessionResponse",
    "LabelData",
    "LinkData",
    "ListSessionsResponse",
    "McpResourceData",
    "OperationResponse",
    "PersistenceData",
    "SessionData",
    "SessionIdRequest",
    "SessionStatusData",
    "SessionSummary",
)
