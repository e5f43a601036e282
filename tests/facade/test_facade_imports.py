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


def test_no_import_circle_among_the_facades_modules() -> None:
    """Imports between agb's modules form no circle, counting modules loaded on first use
    (``LazyModule``); type-only imports and imports inside functions are not edges."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "agb"
    modules: dict[str, Path] = {}
    for path in root.rglob("*.py"):
        parts = path.relative_to(root.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if not name.startswith("agb.emulator"):
            modules[name] = path

    def edges(name: str, path: Path) -> set[str]:
        found: set[str] = set()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for call in ast.walk(tree):  # a module loaded on first use is still a dependency
            if isinstance(call, ast.Call) and ast.unparse(call.func) == "LazyModule":
                found.add(ast.literal_eval(call.args[0]))
        for node in tree.body:  # module level only: imports in functions run later
            if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
                continue
            for item in ast.walk(node) if not isinstance(node, ast.If) else [node]:
                if isinstance(item, ast.Import):
                    found.update(alias.name for alias in item.names)
                elif isinstance(item, ast.ImportFrom) and item.module and item.level == 0:
                    for alias in item.names:  # `from agb import exceptions` imports a module
                        submodule = f"{item.module}.{alias.name}"
                        found.add(submodule if submodule in modules else item.module)
        return {target for target in found if target in modules and target != name}

    graph = {name: edges(name, path) for name, path in modules.items()}
    visiting: list[str] = []
    done: set[str] = set()

    def visit(name: str) -> None:
        if name in done:
            return
        assert name not in visiting, " -> ".join([*visiting[visiting.index(name) :], name])
        visiting.append(name)
        for target in sorted(graph[name]):
            visit(target)
        visiting.pop()
        done.add(name)

    for name in sorted(graph):
        visit(name)
    assert "agb.session" not in graph["agb.model.response"]
    assert "agb.client" not in graph["agb.session"]
