"""A module loaded on first use, so that ``import agb`` does not load what a call needs.

The plans (``agb._plans``) import every generated endpoint and model: about half of
``import agb``.
Loading them at the first call keeps start-up short for programs that import the SDK early.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

__all__ = ["LazyModule"]


class LazyModule:
    """Stands for the module ``name``; imports it when one of its attributes is first read.

    ``importlib.import_module`` runs under the import system's per-module lock, so concurrent
    first uses from several threads load the module once.
    """

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attribute: str) -> Any:
        module = self._module
        if module is None:
            module = self._module = importlib.import_module(self._name)
        return getattr(module, attribute)

    def __repr__(self) -> str:
        return f"<lazy module {self._name!r}>"
