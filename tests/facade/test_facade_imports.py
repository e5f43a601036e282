"""Code written for the published client imports these names; they must keep working."""

from __future__ import annotations

import json

PUBLISHED_DEFAULT_POLICY = (
    '{"uploadPolicy": {"autoUpload": true, "uploadStrategy": "UploadBeforeResourceRelease", '
    '"uploadMode": "File"}, "downloadPolicy": {"autoDownload": true, "downloadStrategy": '
    '"DownloadAsync"}, "deletePolicy": {"syncLocalFile": true}, "extractPolicy": {"extract": '
    'true, "deleteSrcFile": true, "extractToCurrentFolder": false}, "recyclePolicy": '
    '{"lifecycle": "Lifecycle_Forever", "paths": [""]}, "bwList": {"whiteLists": []}}'
)


def test_drop_in_import_paths() -> None:
    from agb import AGB, ContextSync, SessionPauseResult, SessionResumeResult, SyncPolicy
    from agb.config import Config
    from agb.context_sync import ContextSync as ContextSync2
    from agb.context_sync import SyncPolicy as SyncPolicy2
    from agb.exceptions import AGBError, SessionError
    from agb.model.response import (
        DeleteResult,
        OperationResult,
    )
    from agb.model.response import (
        SessionPauseResult as SessionPauseResult2,
    )
    from agb.model.response import (
        SessionResumeResult as SessionResumeResult2,
    )
    from agb.session import Session
    from agb.session_params import CreateSessionParams

    assert ContextSync is ContextSync2
    assert SyncPolicy is SyncPolicy2
    assert SessionPauseResult is SessionPauseResult2
    assert SessionResumeResult is SessionResumeResult2
    assert issubclass(SessionError, AGBError)
    assert callable(AGB)
    for cls in (Config, Session, CreateSessionParams, DeleteResult, OperationResult):
        assert isinstance(cls, type)


def test_names_importable_from_context_sync_only_in_the_published_client() -> None:
    from agb.config import default_config, load_config  # noqa: F401
    from agb.context_sync import (  # noqa: F401
        BWList,
        DeletePolicy,
        DownloadPolicy,
        DownloadStrategy,
        ExtractPolicy,
        Lifecycle,
        MappingPolicy,
        RecyclePolicy,
        UploadMode,
        UploadPolicy,
        UploadStrategy,
        WhiteList,
    )


def test_default_sync_policy_is_the_published_json() -> None:
    from agb.context_sync import SyncPolicy

    assert json.dumps(SyncPolicy().to_dict()) == PUBLISHED_DEFAULT_POLICY
    assert SyncPolicy().to_dict() == json.loads(PUBLISHED_DEFAULT_POLICY)


def test_published_constructors_work_with_keywords_and_positions() -> None:
    from agb import Config, ContextSync, CreateSessionParams, SyncPolicy
    from agb.model.response import DeleteResult, OperationResult, SessionPauseResult

    assert Config("sdk-api.agb.cloud", 60000).timeout_ms == 60000
    params = CreateSessionParams(labels={"a": "b"}, image_id="img")
    assert (params.labels, params.image_id, params.context_syncs) == ({"a": "b"}, "img", [])
    assert CreateSessionParams().labels == {}
    sync = ContextSync.new("ctx", "/data").with_policy(SyncPolicy())
    assert (sync.context_id, sync.path) == ("ctx", "/data")
    assert OperationResult(request_id="r", success=True, data=1, error_message="").data == 1
    assert DeleteResult(request_id="r", success=False, error_message="x").error_message == "x"
    pause = SessionPauseResult(request_id="r", success=True)
    assert (pause.request_id, pause.success, pause.error_message) == ("r", True, "")
    assert pause.get_request_id() == "r"


def test_published_result_fields_exist() -> None:
    from agb.model.response import (
        GetSessionData,
        GetSessionResult,
        SessionListResult,
        SessionResult,
    )

    listed = SessionListResult()
    assert (listed.session_ids, listed.next_token, listed.max_results, listed.total_count) == (
        [],
        "",
        0,
        0,
    )
    assert SessionResult().session is None
    data = GetSessionData(session_id="s", status="RUNNING")
    assert (data.app_instance_id, data.resource_id, data.resource_url, data.success) == (
        "",
        "",
        "",
        True,
    )
    got = GetSessionResult()
    assert (got.http_status_code, got.code, got.data) == (None, "", None)
