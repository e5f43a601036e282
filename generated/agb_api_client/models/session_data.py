from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="SessionData")


@_attrs_define
class SessionData:
    """
    Attributes:
        session_id (str | Unset):
        app_instance_id (str | Unset):
        resource_id (str | Unset):
        resource_url (str | Unset):
        status (str | Unset): Session status. An open set: the known values are `CREATING`, `STARTING`, `RUNNING`,
            `PAUSING`, `PAUSED`, `RESUMING`, `DELETING`, `FINISH` (gone) and `DELETED`; the service may
            answer others, which clients must accept.
    """

    session_id: str | Unset = UNSET
    app_instance_id: str | Unset = UNSET
    resource_id: str | Unset = UNSET
    resource_url: str | Unset = UNSET
    status: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        session_id = self.session_id

        app_instance_id = self.app_instance_id

        resource_id = self.resource_id

        resource_url = self.resource_url

        status = self.status

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if session_id is not UNSET:
            field_dict["sessionId"] = session_id
        if app_instance_id is not UNSET:
            field_dict["appInstanceId"] = app_instance_id
        if resource_id is not UNSET:
            field_dict["resourceId"] = resource_id
        if resource_url is not UNSET:
            field_dict["resourceUrl"] = resource_url
        if status is not UNSET:
            field_dict["status"] = status

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        session_id = d.pop("sessionId", UNSET)

        app_instance_id = d.pop("appInstanceId", UNSET)

        resource_id = d.pop("resourceId", UNSET)

        resource_url = d.pop("resourceUrl", UNSET)

        status = d.pop("status", UNSET)

        session_data = cls(
            session_id=session_id,
            app_instance_id=app_instance_id,
            resource_id=resource_id,
            resource_url=resource_url,
            status=status,
        )

        session_data.additional_properties = d
        return session_data

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
