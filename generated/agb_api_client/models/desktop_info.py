from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="DesktopInfo")


@_attrs_define
class DesktopInfo:
    """
    Attributes:
        app_id (str | Unset):
        auth_code (str | Unset):
        connection_properties (str | Unset):
        resource_id (str | Unset):
        resource_type (str | Unset):
        ticket (str | Unset):
    """

    app_id: str | Unset = UNSET
    auth_code: str | Unset = UNSET
    connection_properties: str | Unset = UNSET
    resource_id: str | Unset = UNSET
    resource_type: str | Unset = UNSET
    ticket: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        app_id = self.app_id

        auth_code = self.auth_code

        connection_properties = self.connection_properties

        resource_id = self.resource_id

        resource_type = self.resource_type

        ticket = self.ticket

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if app_id is not UNSET:
            field_dict["appId"] = app_id
        if auth_code is not UNSET:
            field_dict["authCode"] = auth_code
        if connection_properties is not UNSET:
            field_dict["connectionProperties"] = connection_properties
        if resource_id is not UNSET:
            field_dict["resourceId"] = resource_id
        if resource_type is not UNSET:
            field_dict["resourceType"] = resource_type
        if ticket is not UNSET:
            field_dict["ticket"] = ticket

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        app_id = d.pop("appId", UNSET)

        auth_code = d.pop("authCode", UNSET)

        connection_properties = d.pop("connectionProperties", UNSET)

        resource_id = d.pop("resourceId", UNSET)

        resource_type = d.pop("resourceType", UNSET)

        ticket = d.pop("ticket", UNSET)

        desktop_info = cls(
            app_id=app_id,
            auth_code=auth_code,
            connection_properties=connection_properties,
            resource_id=resource_id,
            resource_type=resource_type,
            ticket=ticket,
        )

        desktop_info.additional_properties = d
        return desktop_info

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
