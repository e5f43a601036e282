from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.empty_request import EmptyRequest
from ...models.error_response import ErrorResponse
from ...models.operation_response import OperationResponse
from ...types import UNSET, Response


def _get_kwargs(
    *,
    body: EmptyRequest,
    session_id: str,
    labels: str,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    params: dict[str, Any] = {}

    params["sessionId"] = session_id

    params["Labels"] = labels

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/sdk/SetLabel",
        "params": params,
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | OperationResponse | None:
    if response.status_code == 200:
        response_200 = OperationResponse.from_dict(response.json())

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
) -> Response[ErrorResponse | OperationResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: EmptyRequest,
    session_id: str,
    labels: str,
) -> Response[ErrorResponse | OperationResponse]:
    """Replace the labels of a session.

     The labels travel in the query, as JSON text, under `Labels` with a capital L.

    Args:
        session_id (str):
        labels (str):
        body (EmptyRequest): An empty JSON object; these operations take their arguments in the
            query.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | OperationResponse]
    """

    kwargs = _get_kwargs(
        body=body,
        session_id=session_id,
        labels=labels,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: EmptyRequest,
    session_id: str,
    labels: str,
) -> ErrorResponse | OperationResponse | None:
    """Replace the labels of a session.

     The labels travel in the query, as JSON text, under `Labels` with a capital L.

    Args:
        session_id (str):
        labels (str):
        body (EmptyRequest): An empty JSON object; these operations take their arguments in the
            query.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | OperationResponse
    """

    return sync_detailed(
        client=client,
        body=body,
        session_id=session_id,
        labels=labels,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: EmptyRequest,
    session_id: str,
    labels: str,
) -> Response[ErrorResponse | OperationResponse]:
    """Replace the labels of a session.

     The labels travel in the query, as JSON text, under `Labels` with a capital L.

    Args:
        session_id (str):
        labels (str):
        body (EmptyRequest): An empty JSON object; these operations take their arguments in the
            query.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | OperationResponse]
    """

    kwargs = _get_kwargs(
        body=body,
        session_id=session_id,
        labels=labels,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: EmptyRequest,
    session_id: str,
    labels: str,
) -> ErrorResponse | OperationResponse | None:
    """Replace the labels of a session.

     The labels travel in the query, as JSON text, under `Labels` with a capital L.

    Args:
        session_id (str):
        labels (str):
        body (EmptyRequest): An empty JSON object; these operations take their arguments in the
            query.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | OperationResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            session_id=session_id,
            labels=labels,
        )
    ).parsed
