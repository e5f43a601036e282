from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.get_context_info_response import GetContextInfoResponse
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    session_id: str,
    context_id: str | Unset = UNSET,
    path: str | Unset = UNSET,
    task_type: str | Unset = UNSET,
) -> dict[str, Any]:
    params: dict[str, Any] = {}

    params["sessionId"] = session_id

    params["contextId"] = context_id

    params["path"] = path

    params["taskType"] = task_type

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/sdk/GetContextInfo",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | GetContextInfoResponse | None:
    if response.status_code == 200:
        response_200 = GetContextInfoResponse.from_dict(response.json())

        return response_200

    if 400 <= response.status_code <= 499:
        response_4xx = ErrorResponse.from_dict(response.json())

        return response_4xx

    if 500 <= response.status_code <= 599:
        response_5xx = ErrorResponse.from_dict(response.json())

        return response_5xx

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorResponse | GetContextInfoResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    session_id: str,
    context_id: str | Unset = UNSET,
    path: str | Unset = UNSET,
    task_type: str | Unset = UNSET,
) -> Response[ErrorResponse | GetContextInfoResponse]:
    """Get the state of a session's context synchronisation tasks.

     `data.contextStatus` is JSON text of `[{type, data}]`; for `type == "data"` the `data` is JSON
    text again of `[{contextId, path, errorMessage, status, startTime, finishTime, taskType}]`
    (`ContextTask`). A task `status` of `Success` or `Failed` is final; any other is running.

    Args:
        session_id (str):
        context_id (str | Unset):
        path (str | Unset):
        task_type (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | GetContextInfoResponse]
    """

    kwargs = _get_kwargs(
        session_id=session_id,
        context_id=context_id,
        path=path,
        task_type=task_type,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    session_id: str,
    context_id: str | Unset = UNSET,
    path: str | Unset = UNSET,
    task_type: str | Unset = UNSET,
) -> ErrorResponse | GetContextInfoResponse | None:
    """Get the state of a session's context synchronisation tasks.

     `data.contextStatus` is JSON text of `[{type, data}]`; for `type == "data"` the `data` is JSON
    text again of `[{contextId, path, errorMessage, status, startTime, finishTime, taskType}]`
    (`ContextTask`). A task `status` of `Success` or `Failed` is final; any other is running.

    Args:
        session_id (str):
        context_id (str | Unset):
        path (str | Unset):
        task_type (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | GetContextInfoResponse
    """

    return sync_detailed(
        client=client,
        session_id=session_id,
        context_id=context_id,
        path=path,
        task_type=task_type,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    session_id: str,
    context_id: str | Unset = UNSET,
    path: str | Unset = UNSET,
    task_type: str | Unset = UNSET,
) -> Response[ErrorResponse | GetContextInfoResponse]:
    """Get the state of a session's context synchronisation tasks.

     `data.contextStatus` is JSON text of `[{type, data}]`; for `type == "data"` the `data` is JSON
    text again of `[{contextId, path, errorMessage, status, startTime, finishTime, taskType}]`
    (`ContextTask`). A task `status` of `Success` or `Failed` is final; any other is running.

    Args:
        session_id (str):
        context_id (str | Unset):
        path (str | Unset):
        task_type (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | GetContextInfoResponse]
    """

    kwargs = _get_kwargs(
        session_id=session_id,
        context_id=context_id,
        path=path,
        task_type=task_type,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    session_id: str,
    context_id: str | Unset = UNSET,
    path: str | Unset = UNSET,
    task_type: str | Unset = UNSET,
) -> ErrorResponse | GetContextInfoResponse | None:
    """Get the state of a session's context synchronisation tasks.

     `data.contextStatus` is JSON text of `[{type, data}]`; for `type == "data"` the `data` is JSON
    text again of `[{contextId, path, errorMessage, status, startTime, finishTime, taskType}]`
    (`ContextTask`). A task `status` of `Success` or `Failed` is final; any other is running.

    Args:
        session_id (str):
        context_id (str | Unset):
        path (str | Unset):
        task_type (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | GetContextInfoResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            session_id=session_id,
            context_id=context_id,
            path=path,
            task_type=task_type,
        )
    ).parsed
