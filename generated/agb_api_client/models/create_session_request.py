from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.persistence_data import PersistenceData


T = TypeVar("T", bound="CreateSessionRequest")


@_attrs_define
class CreateSessionRequest:
    """
    Attributes:
        labels (str | Unset): JSON text of a map of string keys to string values.
        persistence_data_list (list[PersistenceData] | Unset):
        mcp_policy_id (str | Unset):
        timeout (int | Unset): Seconds of idleness after which the session is released.
    """

    labels: str | Unset = UNSET
    persistence_data_list: list[PersistenceData] | Unset = UNSET
    mcp_policy_id: str | Unset = UNSET
    timeout: int | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        labels = self.labels

        persistence_data_list: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.persistence_data_list, Unset):
            persistence_data_list = []
            for persistence_data_list_item_data in self.persistence_data_list:
                persistence_data_list_item = persistence_data_list_item_data.to_dict()
                persistence_data_list.append(persistence_data_list_item)

        mcp_policy_id = self.mcp_policy_id

        timeout = self.timeout

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if labels is not UNSET:
            field_dict["labels"] = labels
        if persistence_data_list is not UNSET:
            field_dict["persistenceDataList"] = persistence_data_list
        if mcp_policy_id is not UNSET:
            field_dict["mcpPolicyId"] = mcp_policy_id
        if timeout is not UNSET:
            field_dict["timeout"] = timeout

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.persistence_data import PersistenceData  # noqa: PLC0415

        d = dict(src_dict)
        labels = d.pop("labels", UNSET)

        _persistence_data_list = d.pop("persistenceDataList", UNSET)
        persistence_data_list: list[PersistenceData] | Unset = UNSET
        if _persistence_data_list is not UNSET:
            persistence_data_list = []
            for persistence_data_list_item_data in _persistence_data_list:
                persistence_data_list_item = PersistenceData.from_dict(
                    persistence_data_list_item_data
                )

                persistence_data_list.append(persistence_data_list_item)

        mcp_policy_id = d.pop("mcpPolicyId", UNSET)

        timeout = d.pop("timeout", UNSET)

        create_session_request = cls(
            labels=labels,
            persistence_data_list=persistence_data_list,
            mcp_policy_id=mcp_policy_id,
            timeout=timeout,
        )

        create_session_request.additional_properties = d
        return create_session_request

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
