# Copied unchanged from /work/notes/published_lifecycle.py: a lifecycle written only against the
# published agbcloud-sdk 0.7.0 names. Do not edit it to suit this SDK; test_facade_emulator runs it.
# ruff: noqa
# fmt: off
"""Session lifecycle written only against the published agbcloud-sdk (0.7.0) API.

Env: AGB_API_KEY (required), AGB_ENDPOINT (required), AGB_TIMEOUT_MS (default 60000),
AGB_IMAGE_ID (default agb-code-space-1), AGB_LINK_PORT (default 30100).
Exits non-zero on the first failed step.
"""
import os
import sys
import uuid

from agb import AGB
from agb.config import Config
from agb.session_params import CreateSessionParams


def check(step, result, ok=None):
    good = bool(result.success) and (ok is None or ok(result))
    print(f"[{'OK' if good else 'FAIL'}] {step}: request_id={result.request_id!r} "
          f"error={getattr(result, 'error_message', '')!r}")
    if not good:
        sys.exit(1)
    return result


def main():
    cfg = Config(endpoint=os.environ["AGB_ENDPOINT"],
                 timeout_ms=int(os.environ.get("AGB_TIMEOUT_MS", "60000")))
    agb = AGB(api_key=os.environ["AGB_API_KEY"], cfg=cfg)  # keyword is `cfg`
    tag = uuid.uuid4().hex[:8]
    labels = {"lifecycle": tag, "owner": "published-sdk"}

    params = CreateSessionParams(image_id=os.environ.get("AGB_IMAGE_ID", "agb-code-space-1"),
                                 labels=labels)
    session = check("create", agb.create(params), lambda r: r.session is not None).session
    print("  session_id:", session.session_id, "resource_url:", session.resource_url)
    try:
        new_labels = dict(labels, stage="labelled")
        check("set_labels", session.set_labels(new_labels))
        check("get_labels", session.get_labels(), lambda r: r.data == new_labels)
        info = check("info", session.info(),
                     lambda r: r.data.get("session_id") == session.session_id).data
        print("  info keys:", sorted(info))
        port = int(os.environ.get("AGB_LINK_PORT", "30100"))
        link = check("get_link", session.get_link(port=port),
                     lambda r: isinstance(r.data, str) and r.data)
        print("  link:", link.data)
        if hasattr(session, "get_status"):  # not in 0.7.0; added in later releases
            check("get_status", session.get_status(), lambda r: bool(r.status))
        got = check("get_session", agb.get_session(session.session_id),
                    lambda r: r.data is not None and r.data.status == "RUNNING")
        print("  status:", got.data.status)
        if hasattr(session, "pause"):  # 0.7.0 has pause/resume (removed later)
            check("pause", session.pause(timeout=300, poll_interval=2.0))
            check("resume", session.resume(timeout=300, poll_interval=2.0))
        listed = check("list", agb.list(labels={"lifecycle": tag}, page=1, limit=10),
                       lambda r: session.session_id in r.session_ids)
        print("  list:", listed.session_ids, "total_count:", listed.total_count,
              "next_token:", repr(listed.next_token))
        check("get", agb.get(session.session_id),
              lambda r: r.session.session_id == session.session_id)
    except SystemExit:
        agb.delete(session)  # best-effort cleanup, then propagate failure
        raise
    check("delete(sync_context=True)", agb.delete(session, sync_context=True))
    print("lifecycle OK")


if __name__ == "__main__":
    main()
