from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ContextTask")


@_attrs_define
class ContextTask:
    """A context synchronisation task, decoded from `ContextStatusItem.data`.

    Attributes:
        context_id (str | Unset):
        path (str | Unset):
        error_message (str | Unset):
        status (str | Unset): `Success` and `Failed` are final; anything else means still running.
        start_time (int | Unset):
        finish_time (int | Unset):
        task_type (str | Unset):
    """

    context_id: str | Unset = UNSET
    path: str | Unset = UNSET
    error_message: str | Unset = UNSET
    status: str | Unset = UNSET
    start_time: int | Unset = UNSET
    finish_time: int | Unset = UNSET
    task_type: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        context_id = self.context_id

        path = self.path

        error_message = self.error_message

        status = self.status

        start_time = self.start_time

        finish_time = self.finish_time

        task_type = self.task_type

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if context_id is not UNSET:
            field_dict["contextId"] = context_id
        if path is not UNSET:
            field_dict["path"] = path
        if error_message is not UNSET:
            field_dict["errorMessage"] = error_message
        if status is not UNSET:
            field_dict["status"] = status
        if start_time is not UNSET:
            field_dict["startTime"] = start_time
        if finish_time is not UNSET:
            field_dict["finishTime"] = finish_time
        if task_type is not UNSET:
            field_dict["taskType"] = task_type

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        context_id = d.pop("contextId", UNSET)

        path = d.pop("path", UNSET)

        error_message = d.pop("errorMessage", UNSET)

        status = d.pop("status", UNSET)

        start_time = d.pop("startTime", UNSET)

        finish_time = d.pop("finishTime", UNSET)

        task_type = d.pop("taskType", UNSET)

        context_task = cls(
            context_id=context_id,
            path=path,
            error_message=error_message,
            status=status,
            start_time=start_time,
            finish_time=finish_time,
            task_type=task_type,
        )

        context_task.additional_properties = d
        return context_task

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
