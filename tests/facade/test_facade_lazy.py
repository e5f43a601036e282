"""agb._lazy: a plan made before its module is loaded loads it when it first runs; once the
module is loaded (by anyone), its functions are handed out directly."""

from __future__ import annotations

import importlib.machinery
import sys
import types
from collections.abc import Generator, Iterator

import pytest

from agb._lazy import LazyModule

NAME = "agb_test_lazy_plans"


def _plan(x: int) -> Generator[int, None, int]:
    yield x
    return x * 2


@pytest.fixture
def module() -> Iterator[types.ModuleType]:
    made = types.ModuleType(NAME)
    made.__spec__ = importlib.machinery.ModuleSpec(NAME, None)
    made.plan = _plan  # type: ignore[attr-defined]
    yield made
    sys.modules.pop(NAME, None)


def test_a_plan_made_early_loads_its_module_when_it_runs(
    module: types.ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads: list[str] = []

    def load(name: str) -> types.ModuleType:
        loads.append(name)
        sys.modules[name] = module
        return module

    monkeypatch.setattr(importlib, "import_module", load)
    lazy = LazyModule(NAME)
    plan = lazy.plan(21)
    assert loads == []
    assert next(plan) == 21
    assert loads == [NAME]
    with pytest.raises(StopIteration) as stop:
        next(plan)
    assert stop.value.value == 42
    assert lazy.plan is _plan  # loaded: no wrapper any more


def test_a_module_another_thread_imported_is_used_directly_once_done(
    module: types.ModuleType,
) -> None:
    lazy = LazyModule(NAME)
    sys.modules[NAME] = module
    assert module.__spec__ is not None
    module.__spec__._initializing = True  # type: ignore[attr-defined]  # still importing
    assert lazy.plan is not _plan, "a half-imported module is not read"
    module.__spec__._initializing = False  # type: ignore[attr-defined]
    assert lazy.plan is _plan
