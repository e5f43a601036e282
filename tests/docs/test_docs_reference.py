"""The API reference in docs/api: current with the docstrings, and covering the public API."""

from __future__ import annotations

import importlib.util
import inspect
import re
import shutil
from pathlib import Path
from types import ModuleType

import pytest

import agb

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "api"


def load_gen_docs() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_docs", ROOT / "scripts" / "gen_docs.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen_docs = load_gen_docs()


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in DOCS.glob("*.md")}


def class_section(pages: dict[str, str], name: str) -> str:
    """The text of ``## name`` up to the next ``## `` heading, from whichever page has it."""
    heading = f"## {name.replace('_', chr(92) + '_')}\n"
    for text in pages.values():
        if heading in text:
            rest = text.split(heading, 1)[1]
            return re.split(r"^## ", rest, maxsplit=1, flags=re.M)[0]
    raise AssertionError(f"no page has a section for {name}")


def public_methods(cls: type) -> list[str]:
    """Methods and properties a class defines itself (inherited ones are on the base's page)."""
    return [
        name
        for name, value in vars(cls).items()
        if not name.startswith("_")
        and (inspect.isfunction(value) or isinstance(value, property | classmethod | staticmethod))
    ]


def test_docs_are_current(capsys: pytest.CaptureFixture[str]) -> None:
    """Also shows the output is deterministic: docs/api was written by another process."""
    status = gen_docs.main(["--check"])
    assert status == 0, capsys.readouterr().err


@pytest.mark.parametrize("name", [n for n in agb.__all__ if not n.startswith("__")])
def test_every_public_name_and_method_is_documented(pages: dict[str, str], name: str) -> None:
    section = class_section(pages, name)
    value = getattr(agb, name)
    if not inspect.isclass(value):
        return
    assert f"class {name}" in section
    for method in public_methods(value):
        assert f"### {method.replace('_', chr(92) + '_')}\n" in section, f"{name}.{method}"
        assert re.search(rf"def {method}\(", section), f"no signature for {name}.{method}"


def test_session_page_has_every_method_and_async_twin(pages: dict[str, str]) -> None:
    section = class_section(pages, "Session")
    for method in public_methods(agb.Session):
        twin = f"{method}_async"
        if hasattr(agb.Session, twin):
            assert f"async def {twin}(" in section
    assert "async def pause_async(" in section
    assert "async def resume_async(" in section
    # In the published pages' shape: signature, description, Arguments, Returns, Raises.
    pause = section.split("### pause\n", 1)[1].split("### ", 1)[0]
    assert (
        "```python\ndef pause(timeout: float = 600,\n          poll_interval: float = 2.0," in pause
    )
    assert "on_status: Callable[[str, float], object] | None = None" in pause
    for block in ("**Arguments**:", "**Returns**:", "**Raises**:", "- `timeout` _float_ - "):
        assert block in pause


def test_client_page_documents_every_method(pages: dict[str, str]) -> None:
    section = class_section(pages, "AGB")
    for method in ("create", "create_async", "get", "list", "list_async", "delete", "pause"):
        assert re.search(rf"def {method}\(", section), method
    assert "Client of the AGB cloud" in section


def test_a_changed_docstring_makes_the_check_fail(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT / "agb", copy / "agb", ignore=shutil.ignore_patterns("__pycache__", "emulator")
    )
    session_py = copy / "agb" / "session.py"
    source = session_py.read_text()
    summary = (inspect.getdoc(agb.Session.resume) or "").splitlines()[0]
    assert source.count(summary) == 1
    session_py.write_text(source.replace(summary, summary + " Changed without regenerating."))
    assert gen_docs.main(["--check", "--search-path", str(copy)]) == 1
    err = capsys.readouterr().err
    assert "session.md is stale" in err
    assert "Changed without regenerating." in err
    assert "run: python scripts/gen_docs.py" in err
    assert "agb.md" not in err.split("out of date", 1)[1]

    # Regenerating from the changed source makes the check pass again.
    fresh = tmp_path / "api"
    assert gen_docs.main(["--search-path", str(copy), "--output", str(fresh)]) == 0
    assert gen_docs.main(["--check", "--search-path", str(copy), "--output", str(fresh)]) == 0


def test_missing_and_extra_pages_fail_the_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "api"
    shutil.copytree(DOCS, output)
    (output / "results.md").unlink()
    (output / "old_page.md").write_text("# gone\n")
    assert gen_docs.main(["--check", "--output", str(output)]) == 1
    err = capsys.readouterr().err
    assert "results.md is missing" in err
    assert "old_page.md is not generated from any module" in err


def test_a_factory_default_is_shown_as_a_factory(pages: dict[str, str]) -> None:
    """``= []`` would read as one list shared by every call; attrs makes a new one each time."""
    assert "context_syncs: list[ContextSync] = Factory(list)" in pages["session_params.md"]
    for name, text in pages.items():
        for block in re.findall(r"```python\n(.*?)```", text, flags=re.S):
            assert "= []" not in block, name
            assert "= {}" not in block, name
