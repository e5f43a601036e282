"""Persistent contexts mounted into a session, and the policy that keeps them in sync.

``ContextSync(context_id, path, policy)`` says "mount context ``context_id`` at ``path``";
``SyncPolicy`` says when and how it is uploaded and downloaded. They travel to the service as
JSON text inside ``persistenceDataList[].policy`` with the camelCase keys of the wire.
"""

from __future__ import annotations

import json
import re
from enum import Enum
from typing import Any

from attrs import Factory, define, field

__all__ = [
    "BWList",
    "ContextSync",
    "DeletePolicy",
    "DownloadPolicy",
    "DownloadStrategy",
    "ExtractPolicy",
    "Lifecycle",
    "MappingPolicy",
    "RecyclePolicy",
    "SyncPolicy",
    "UploadMode",
    "UploadPolicy",
    "UploadStrategy",
    "WhiteList",
]

_WILDCARD = re.compile(r"[*?\[\]]")


class UploadStrategy(str, Enum):
    """When a context is uploaded."""

    UPLOAD_BEFORE_RESOURCE_RELEASE = "UploadBeforeResourceRelease"


class DownloadStrategy(str, Enum):
    """How a context is downloaded into a new session."""

    DOWNLOAD_ASYNC = "DownloadAsync"


class UploadMode(str, Enum):
    """Whether files are uploaded one by one or as an archive."""

    FILE = "File"
    ARCHIVE = "Archive"


class Lifecycle(str, Enum):
    """How long recycled context data is kept."""

    LIFECYCLE_1DAY = "Lifecycle_1Day"
    LIFECYCLE_3DAYS = "Lifecycle_3Days"
    LIFECYCLE_5DAYS = "Lifecycle_5Days"
    LIFECYCLE_10DAYS = "Lifecycle_10Days"
    LIFECYCLE_15DAYS = "Lifecycle_15Days"
    LIFECYCLE_30DAYS = "Lifecycle_30Days"
    LIFECYCLE_90DAYS = "Lifecycle_90Days"
    LIFECYCLE_180DAYS = "Lifecycle_180Days"
    LIFECYCLE_360DAYS = "Lifecycle_360Days"
    LIFECYCLE_FOREVER = "Lifecycle_Forever"


def _no_wildcards(what: str, path: str) -> None:
    if path and _WILDCARD.search(path):
        raise ValueError(
            f"Wildcard patterns are not supported in {what}. Got: {path}. "
            "Please use exact directory paths instead."
        )


def _enum(cls: type[Enum], value: Any, name: str) -> Any:
    try:
        return cls(value)
    except ValueError:
        valid = ", ".join(str(member.value) for member in cls)
        raise ValueError(f"Invalid {name} value: {value}. Valid values are: {valid}") from None


@define
class UploadPolicy:
    """Upload settings: on by default, before the session's resource is released, file by file."""

    auto_upload: bool = True
    upload_strategy: UploadStrategy = UploadStrategy.UPLOAD_BEFORE_RESOURCE_RELEASE
    upload_mode: UploadMode = UploadMode.FILE

    def __attrs_post_init__(self) -> None:
        self.upload_strategy = _enum(UploadStrategy, self.upload_strategy, "upload_strategy")
        self.upload_mode = _enum(UploadMode, self.upload_mode, "upload_mode")

    def to_dict(self) -> dict[str, Any]:
        """The wire form."""
        return {
            "autoUpload": self.auto_upload,
            "uploadStrategy": self.upload_strategy.value,
            "uploadMode": self.upload_mode.value,
        }


@define
class DownloadPolicy:
    """Download settings: on by default, asynchronously."""

    auto_download: bool = True
    download_strategy: DownloadStrategy = DownloadStrategy.DOWNLOAD_ASYNC

    def __attrs_post_init__(self) -> None:
        self.download_strategy = _enum(
            DownloadStrategy, self.download_strategy, "download_strategy"
        )

    def to_dict(self) -> dict[str, Any]:
        """The wire form."""
        return {
            "autoDownload": self.auto_download,
            "downloadStrategy": self.download_strategy.value,
        }


@define
class DeletePolicy:
    """Whether deleting a local file deletes it from the context too."""

    sync_local_file: bool = True

    def to_dict(self) -> dict[str, Any]:
        """The wire form."""
        return {"syncLocalFile": self.sync_local_file}


@define
class ExtractPolicy:
    """Whether uploaded archives are extracted, and where."""

    extract: bool = True
    delete_src_file: bool = True
    extract_current_folder: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The wire form."""
        return {
            "extract": self.extract,
            "deleteSrcFile": self.delete_src_file,
            "extractToCurrentFolder": self.extract_current_folder,
        }


@define
class RecyclePolicy:
    """How long data under ``paths`` is kept (``[""]``: the whole context)."""

    lifecycle: Lifecycle = Lifecycle.LIFECYCLE_FOREVER
    paths: list[str] = Factory(lambda: [""])

    def __attrs_post_init__(self) -> None:
        self.lifecycle = _enum(Lifecycle, self.lifecycle, "lifecycle")
        for path in self.paths:
            _no_wildcards("recycle policy paths", path)

    def to_dict(self) -> dict[str, Any]:
        """The wire form."""
        return {"lifecycle": self.lifecycle.value, "paths": list(self.paths)}


@define
class WhiteList:
    """A path to synchronise, minus some paths below it."""

    path: str = ""
    exclude_paths: list[str] = Factory(list)

    def __attrs_post_init__(self) -> None:
        _no_wildcards("path", self.path)
        for path in self.exclude_paths:
            _no_wildcards("exclude_paths", path)

    def to_dict(self) -> dict[str, Any]:
        """The wire form."""
        return {"path": self.path, "excludePaths": list(self.exclude_paths)}


@define
class BWList:
    """White lists of what is synchronised (empty: everything)."""

    white_lists: list[WhiteList] = Factory(list)

    def to_dict(self) -> dict[str, Any]:
        """The wire form."""
        return {"whiteLists": [item.to_dict() for item in self.white_lists]}


@define
class MappingPolicy:
    """Where a context is mapped from (used when a context is shared across images)."""

    path: str = ""

    @classmethod
    def default(cls) -> MappingPolicy:
        """An empty mapping."""
        return cls()

    def to_dict(self) -> dict[str, Any]:
        """The wire form."""
        return {"path": self.path}


@define
class SyncPolicy:
    """How a context is synchronised. Every policy left out gets its defaults (but mapping)."""

    upload_policy: UploadPolicy | None = None
    download_policy: DownloadPolicy | None = None
    delete_policy: DeletePolicy | None = None
    extract_policy: ExtractPolicy | None = None
    recycle_policy: RecyclePolicy | None = None
    bw_list: BWList | None = None
    mapping_policy: MappingPolicy | None = None

    def __attrs_post_init__(self) -> None:
        self.upload_policy = self.upload_policy or UploadPolicy()
        self.download_policy = self.download_policy or DownloadPolicy()
        self.delete_policy = self.delete_policy or DeletePolicy()
        self.extract_policy = self.extract_policy or ExtractPolicy()
        self.recycle_policy = self.recycle_policy or RecyclePolicy()
        self.bw_list = self.bw_list or BWList()

    @classmethod
    def default(cls) -> SyncPolicy:
        """A policy with every default."""
        return cls()

    def to_dict(self) -> dict[str, Any]:
        """The wire form (before it is turned into JSON text)."""
        parts = {
            "uploadPolicy": self.upload_policy,
            "downloadPolicy": self.download_policy,
            "deletePolicy": self.delete_policy,
            "extractPolicy": self.extract_policy,
            "recyclePolicy": self.recycle_policy,
            "bwList": self.bw_list,
            "mappingPolicy": self.mapping_policy,
        }
        return {key: part.to_dict() for key, part in parts.items() if part is not None}

    def to_json(self) -> str:
        """The JSON text the service expects in ``persistenceDataList[].policy``."""
        return json.dumps(self.to_dict(), ensure_ascii=False)


@define
class ContextSync:
    """Mount the persistent context ``context_id`` at ``path`` in the session.

    Args:
        context_id: Id of the context.
        path: Absolute path inside the session.
        policy: How it is synchronised; ``None`` means ``SyncPolicy()`` with every default.

    Raises:
        ValueError: If ``context_id`` or ``path`` is empty.
    """

    context_id: str
    path: str
    policy: SyncPolicy | None = field(default=None)

    def __attrs_post_init__(self) -> None:
        for name in ("context_id", "path"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"ContextSync.{name} must be a non-empty string, got {value!r}")

    @classmethod
    def new(cls, context_id: str, path: str, policy: SyncPolicy | None = None) -> ContextSync:
        """Same as the constructor (kept for the published client's API)."""
        return cls(context_id, path, policy)

    def with_policy(self, policy: SyncPolicy) -> ContextSync:
        """Set the policy and return this object, for chaining."""
        self.policy = policy
        return self
