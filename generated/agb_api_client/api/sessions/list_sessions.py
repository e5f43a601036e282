from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.list_sessions_response import ListSessionsResponse
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    max_results: int | Unset = UNSET,
    next_token: str | Unset = UNSET,
    labels: str | Unset = UNSET,
) -> dict[str, Any]:
    params: dict[str, Any] = {}

    params["maxResults"] = max_results

    params["nextToken"] = next_token

    params["labels"] = labels

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/sdk/ListSession",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | ListSessionsResponse | None:
    if response.status_code == 200:
        response_200 = ListSessionsResponse.from_dict(response.json())

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
) -> Response[ErrorResponse | ListSessionsResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    max_results: int | Unset = UNSET,
    next_token: str | Unset = UNSET,
    labels: str | Unset = UNSET,
) -> Response[ErrorResponse | ListSessionsResponse]:
    """List sessions, optionally filtered by labels, one page at a time.

     Paging fields (`nextToken`, `maxResults`, `count`) are at the top level here.

    Args:
        max_results (int | Unset):
        next_token (str | Unset):
        labels (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | ListSessionsResponse]
    """

    kwargs = _get_kwargs(
        max_results=max_results,
        next_token=next_token,
        labels=labels,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    max_results: int | Unset = UNSET,
    next_token: str | Unset = UNSET,
    labels: str | Unset = UNSET,
) -> ErrorResponse | ListSessionsResponse | None:
    """List sessions, optionally filtered by labels, one page at a time.

     Paging fields (`nextToken`, `maxResults`, `count`) are at the top level here.

    Args:
        max_results (int | Unset):
        next_token (str | Unset):
        labels (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | ListSessionsResponse
    """

    return sync_detailed(
        client=client,
        max_results=max_results,
        next_token=next_token,
        labels=labels,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    max_results: int | Unset = UNSET,
    next_token: str | Unset = UNSET,
    labels: str | Unset = UNSET,
) -> Response[ErrorResponse | ListSessionsResponse]:
    """List sessions, optionally filtered by labels, one page at a time.

     Paging fields (`nextToken`, `maxResults`, `count`) are at the top level here.

    Args:
        max_results (int | Unset):
        next_token (str | Unset):
        labels (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | ListSessionsResponse]
    """

    kwargs = _get_kwargs(
        max_results=max_results,
        next_token=next_token,
        labels=labels,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    max_results: int | Unset = UNSET,
    next_token: str | Unset = UNSET,
    labels: str | Unset = UNSET,
) -> ErrorResponse | ListSessionsResponse | None:
    """List sessions, optionally filtered by labels, one page at a time.

     Paging fields (`nextToken`, `maxResults`, `count`) are at the top level here.

    Args:
        max_results (int | Unset):
        next_token (str | Unset):
        labels (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | ListSessionsResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            max_results=max_results,
            next_token=next_token,
            labels=labels,
        )
    ).parsed
