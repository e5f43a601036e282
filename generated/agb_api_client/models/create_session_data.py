from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="CreateSessionData")


@_attrs_define
class CreateSessionData:
    """
    Attributes:
        session_id (str | Unset):
        resource_url (str | Unset):
        app_instance_id (str | Unset):
        resource_id (str | Unset):
        success (bool | Unset): `false` (with `errMsg`) means creation failed, even inside an HTTP 200.
        err_msg (str | Unset):
        task_id (str | Unset):
        link_url (str | Unset):
        ws_url (str | Unset):
        token (str | Unset):
        tool_list (Any | Unset): The tools the session offers (JSON text or a list, depending on the service version).
        network_interface_ip (str | Unset): The session's network interface address, where the service gives it.
    """

    session_id: str | Unset = UNSET
    resource_url: str | Unset = UNSET
    app_instance_id: str | Unset = UNSET
    resource_id: str | Unset = UNSET
    success: bool | Unset = UNSET
    err_msg: str | Unset = UNSET
    task_id: str | Unset = UNSET
    link_url: str | Unset = UNSET
    ws_url: str | Unset = UNSET
    token: str | Unset = UNSET
    tool_list: Any | Unset = UNSET
    network_interface_ip: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        session_id = self.session_id

        resource_url = self.resource_url

        app_instance_id = self.app_instance_id

        resource_id = self.resource_id

        success = self.success

        err_msg = self.err_msg

        task_id = self.task_id

        link_url = self.link_url

        ws_url = self.ws_url

        token = self.token

        tool_list = self.tool_list

        network_interface_ip = self.network_interface_ip

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if session_id is not UNSET:
            field_dict["sessionId"] = session_id
        if resource_url is not UNSET:
            field_dict["resourceUrl"] = resource_url
        if app_instance_id is not UNSET:
            field_dict["appInstanceId"] = app_instance_id
        if resource_id is not UNSET:
            field_dict["resourceId"] = resource_id
        if success is not UNSET:
            field_dict["success"] = success
        if err_msg is not UNSET:
            field_dict["errMsg"] = err_msg
        if task_id is not UNSET:
            field_dict["taskId"] = task_id
        if link_url is not UNSET:
            field_dict["linkUrl"] = link_url
        if ws_url is not UNSET:
            field_dict["wsUrl"] = ws_url
        if token is not UNSET:
            field_dict["token"] = token
        if tool_list is not UNSET:
            field_dict["toolList"] = tool_list
        if network_interface_ip is not UNSET:
            field_dict["networkInterfaceIp"] = network_interface_ip

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        session_id = d.pop("sessionId", UNSET)

        resource_url = d.pop("resourceUrl", UNSET)

        app_instance_id = d.pop("appInstanceId", UNSET)

        resource_id = d.pop("resourceId", UNSET)

        success = d.pop("success", UNSET)

        err_msg = d.pop("errMsg", UNSET)

        task_id = d.pop("taskId", UNSET)

        link_url = d.pop("linkUrl", UNSET)

        ws_url = d.pop("wsUrl", UNSET)

        token = d.pop("token", UNSET)

        tool_list = d.pop("toolList", UNSET)

        network_interface_ip = d.pop("networkInterfaceIp", UNSET)

        create_session_data = cls(
            session_id=session_id,
            resource_url=resource_url,
            app_instance_id=app_instance_id,
            resource_id=resource_id,
            success=success,
            err_msg=err_msg,
            task_id=task_id,
            link_url=link_url,
            ws_url=ws_url,
            token=token,
            tool_list=tool_list,
            network_interface_ip=network_interface_ip,
        )

        create_session_data.additional_properties = d
        return create_session_data

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
