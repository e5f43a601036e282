from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="LabelData")


@_attrs_define
class LabelData:
    """
    Attributes:
        labels (str | Unset): JSON text of the label map.
        count (int | Unset):
        next_token (str | Unset):
        max_results (int | Unset):
    """

    labels: str | Unset = UNSET
    count: int | Unset = UNSET
    next_token: str | Unset = UNSET
    max_results: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        labels = self.labels

        count = self.count

        next_token = self.next_token

        max_results = self.max_results

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if labels is not UNSET:
            field_dict["labels"] = labels
        if count is not UNSET:
            field_dict["count"] = count
        if next_token is not UNSET:
            field_dict["nextToken"] = next_token
        if max_results is not UNSET:
            field_dict["maxResults"] = max_results

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        labels = d.pop("labels", UNSET)

        count = d.pop("count", UNSET)

        next_token = d.pop("nextToken", UNSET)

        max_results = d.pop("maxResults", UNSET)

        label_data = cls(
            labels=labels,
            count=count,
            next_token=next_token,
            max_results=max_results,
        )

        label_data.additional_properties = d
        return label_data

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
