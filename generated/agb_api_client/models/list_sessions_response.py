from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.session_summary import SessionSummary


T = TypeVar("T", bound="ListSessionsResponse")


@_attrs_define
class ListSessionsResponse:
    """
    Attributes:
        request_id (str | Unset): Server request id.
        success (bool | Unset): API-level outcome; only `true` is success.
        code (str | Unset): Error code (`""`, `ok` or `OK` on success).
        message (str | Unset): Human-readable text.
        http_status_code (int | Unset): The server's HTTP status, copied into the body.
        access_denied_detail (Any | Unset): Opaque detail of an access denial.
        data (list[SessionSummary] | None | Unset):
        next_token (str | Unset): Token of the next page; empty or missing on the last page.
        max_results (int | Unset):
        count (int | Unset): Total number of sessions that match the filter.
    """

    request_id: str | Unset = UNSET
    success: bool | Unset = UNSET
    code: str | Unset = UNSET
    message: str | Unset = UNSET
    http_status_code: int | Unset = UNSET
    access_denied_detail: Any | Unset = UNSET
    data: list[SessionSummary] | None | Unset = UNSET
    next_token: str | Unset = UNSET
    max_results: int | Unset = UNSET
    count: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        request_id = self.request_id

        success = self.success

        code = self.code

        message = self.message

        http_status_code = self.http_status_code

        access_denied_detail = self.access_denied_detail

        data: list[dict[str, Any]] | None | Unset
        if isinstance(self.data, Unset):
            data = UNSET
        elif isinstance(self.data, list):
            data = []
            for data_type_0_item_data in self.data:
                data_type_0_item = data_type_0_item_data.to_dict()
                data.append(data_type_0_item)

        else:
            data = self.data

        next_token = self.next_token

        max_results = self.max_results

        count = self.count

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if request_id is not UNSET:
            field_dict["requestId"] = request_id
        if success is not UNSET:
            field_dict["success"] = success
        if code is not UNSET:
            field_dict["code"] = code
        if message is not UNSET:
            field_dict["message"] = message
        if http_status_code is not UNSET:
            field_dict["httpStatusCode"] = http_status_code
        if access_denied_detail is not UNSET:
            field_dict["accessDeniedDetail"] = access_denied_detail
        if data is not UNSET:
            field_dict["data"] = data
        if next_token is not UNSET:
            field_dict["nextToken"] = next_token
        if max_results is not UNSET:
            field_dict["maxResults"] = max_results
        if count is not UNSET:
            field_dict["count"] = count

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.session_summary import SessionSummary  # noqa: PLC0415

        d = dict(src_dict)
        request_id = d.pop("requestId", UNSET)

        success = d.pop("success", UNSET)

        code = d.pop("code", UNSET)

        message = d.pop("message", UNSET)

        http_status_code = d.pop("httpStatusCode", UNSET)

        access_denied_detail = d.pop("accessDeniedDetail", UNSET)

        def _parse_data(data: object) -> list[SessionSummary] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                data_type_0 = []
                _data_type_0 = data
                for data_type_0_item_data in _data_type_0:
                    data_type_0_item = SessionSummary.from_dict(data_type_0_item_data)

                    data_type_0.append(data_type_0_item)

                return data_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[SessionSummary] | None | Unset, data)

        data = _parse_data(d.pop("data", UNSET))

        next_token = d.pop("nextToken", UNSET)

        max_results = d.pop("maxResults", UNSET)

        count = d.pop("count", UNSET)

        list_sessions_response = cls(
            request_id=request_id,
            success=success,
            code=code,
            message=message,
            http_status_code=http_status_code,
            access_denied_detail=access_denied_detail,
            data=data,
            next_token=next_token,
            max_results=max_results,
            count=count,
        )

        list_sessions_response.additional_properties = d
        return list_sessions_response

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
