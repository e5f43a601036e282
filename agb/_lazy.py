"""The plans module (``agb._plans``), loaded when a plan first runs.

The plans import every generated endpoint and model: about half of ``import agb``. Loading them
at the first call keeps start-up short for programs that import the SDK early; loading them
when a plan first *runs* (not when it is made) lets an async call do that import off the event
loop first (``agb._warmup``): the runner warms up, then drives the plan.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Generator
from types import ModuleType
from typing import Any

__all__ = ["LazyModule"]


class LazyModule:
    """Stands for the plans module ``name``: each attribute is a plan function (it returns a
    generator) whose module is imported when the plan it made is first driven.

    ``importlib.import_module`` runs under the import system's per-module lock, so concurrent
    first uses from several threads load the module once.
    """

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def _load(self) -> ModuleType:
        module = self._module
        if module is None:
            module = self._module = importlib.import_module(self._name)
        return module

    def __getattr__(self, attribute: str) -> Callable[..., Generator[Any, Any, Any]]:
        module = self._module
        if module is None:  # imported elsewhere meanwhile (the warm-up imports it)...
            found = sys.modules.get(self._name)
            # ... and done: a module another thread is still importing is not ready to read.
            if found is not None and not getattr(found.__spec__, "_initializing", False):
                module = self._module = found
        if module is not None:
            function: Callable[..., Generator[Any, Any, Any]] = getattr(module, attribute)
            return function
        load = self._load

        def plan(*args: Any, **kwargs: Any) -> Generator[Any, Any, Any]:
            return (yield from getattr(load(), attribute)(*args, **kwargs))

        return plan

    def __repr__(self) -> str:
        return f"<lazy module {self._name!r}>"
