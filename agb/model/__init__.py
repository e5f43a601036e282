"""Result types of the SDK (see :mod:`agb.model.response`)."""

from agb.model import response
from agb.model.response import *  # noqa: F403

__all__ = ["response"]
__all__ += response.__all__
