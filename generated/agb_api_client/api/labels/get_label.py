from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.get_label_response import GetLabelResponse
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    session_id: str,
    max_results: int | Unset = UNSET,
    next_token: str | Unset = UNSET,
) -> dict[str, Any]:
    params: dict[str, Any] = {}

    params["sessionId"] = session_id

    params["maxResults"] = max_results

    params["nextToken"] = next_token

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/sdk/GetLabel",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | GetLabelResponse | None:
    if response.status_code == 200:
        response_200 = GetLabelResponse.from_dict(response.json())

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
) -> Response[ErrorResponse | GetLabelResponse]:
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
    max_results: int | Unset = UNSET,
    next_token: str | Unset = UNSET,
) -> Response[ErrorResponse | GetLabelResponse]:
    """Get the labels of a session.

     Paging fields are inside `data` here, and `data.labels` is JSON text of the map.

    Args:
        session_id (str):
        max_results (int | Unset):
        next_token (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | GetLabelResponse]
    """

    kwargs = _get_kwargs(
        session_id=session_id,
        max_results=max_results,
        next_token=next_token,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    session_id: str,
    max_results: int | Unset = UNSET,
    next_token: str | Unset = UNSET,
) -> ErrorResponse | GetLabelResponse | None:
    """Get the labels of a session.

     Paging fields are inside `data` here, and `data.labels` is JSON text of the map.

    Args:
        session_id (str):
        max_results (int | Unset):
        next_token (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | GetLabelResponse
    """

    return sync_detailed(
        client=client,
        session_id=session_id,
        max_results=max_results,
        next_token=next_token,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    session_id: str,
    max_results: int | Unset = UNSET,
    next_token: str | Unset = UNSET,
) -> Response[ErrorResponse | GetLabelResponse]:
    """Get the labels of a session.

     Paging fields are inside `data` here, and `data.labels` is JSON text of the map.

    Args:
        session_id (str):
        max_results (int | Unset):
        next_token (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | GetLabelResponse]
    """

    kwargs = _get_kwargs(
        session_id=session_id,
        max_results=max_results,
        next_token=next_token,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    session_id: str,
    max_results: int | Unset = UNSET,
    next_token: str | Unset = UNSET,
) -> ErrorResponse | GetLabelResponse | None:
    """Get the labels of a session.

     Paging fields are inside `data` here, and `data.labels` is JSON text of the map.

    Args:
        session_id (str):
        max_results (int | Unset):
        next_token (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | GetLabelResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            session_id=session_id,
            max_results=max_results,
            next_token=next_token,
        )
    ).parsed
