from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Envelope")


@_attrs_define
class Envelope:
    """The fields every control-plane response carries.

    Attributes:
        request_id (str | Unset): Server request id.
        success (bool | Unset): API-level outcome; only `true` is success.
        code (str | Unset): Error code (`""`, `ok` or `OK` on success).
        message (str | Unset): Human-readable text.
        http_status_code (int | Unset): The server's HTTP status, copied into the body.
        access_denied_detail (Any | Unset): Opaque detail of an access denial.
    """

    request_id: str | Unset = UNSET
    success: bool | Unset = UNSET
    code: str | Unset = UNSET
    message: str | Unset = UNSET
    http_status_code: int | Unset = UNSET
    access_denied_detail: Any | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        request_id = self.request_id

        success = self.success

        code = self.code

        message = self.message

        http_status_code = self.http_status_code

        access_denied_detail = self.access_denied_detail

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

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        request_id = d.pop("requestId", UNSET)

        success = d.pop("success", UNSET)

        code = d.pop("code", UNSET)

        message = d.pop("message", UNSET)

        http_status_code = d.pop("httpStatusCode", UNSET)

        access_denied_detail = d.pop("accessDeniedDetail", UNSET)

        envelope = cls(
            request_id=request_id,
            success=success,
            code=code,
            message=message,
            http_status_code=http_status_code,
            access_denied_detail=access_denied_detail,
        )

        envelope.additional_properties = d
        return envelope

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
