"""Old home of the effects; ``agb._transport`` still imports :class:`Call` from here.

New code imports from :mod:`agb._effects`. Delete this module once ``_transport`` does too.
"""

from agb._effects import Call

__all__ = ["Call"]
