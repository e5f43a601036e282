from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.desktop_info import DesktopInfo


T = TypeVar("T", bound="McpResourceData")


@_attrs_define
class McpResourceData:
    """
    Attributes:
        session_id (str | Unset):
        resource_url (str | Unset):
        desktop_info (DesktopInfo | None | Unset):
    """

    session_id: str | Unset = UNSET
    resource_url: str | Unset = UNSET
    desktop_info: DesktopInfo | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.desktop_info import DesktopInfo  # noqa: PLC0415

        session_id = self.session_id

        resource_url = self.resource_url

        desktop_info: dict[str, Any] | None | Unset
        if isinstance(self.desktop_info, Unset):
            desktop_info = UNSET
        elif isinstance(self.desktop_info, DesktopInfo):
            desktop_info = self.desktop_info.to_dict()
        else:
            desktop_info = self.desktop_info

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if session_id is not UNSET:
            field_dict["sessionId"] = session_id
        if resource_url is not UNSET:
            field_dict["resourceUrl"] = resource_url
        if desktop_info is not UNSET:
            field_dict["desktopInfo"] = desktop_info

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.desktop_info import DesktopInfo  # noqa: PLC0415

        d = dict(src_dict)
        session_id = d.pop("sessionId", UNSET)

        resource_url = d.pop("resourceUrl", UNSET)

        def _parse_desktop_info(data: object) -> DesktopInfo | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                desktop_info_type_0 = DesktopInfo.from_dict(data)

                return desktop_info_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(DesktopInfo | None | Unset, data)

        desktop_info = _parse_desktop_info(d.pop("desktopInfo", UNSET))

        mcp_resource_data = cls(
            session_id=session_id,
            resource_url=resource_url,
            desktop_info=desktop_info,
        )

        mcp_resource_data.additional_properties = d
        return mcp_resource_data

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
