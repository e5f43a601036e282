"""Old home of the HTTP plumbing; ``agb/client.py`` still imports :class:`Transport` from here.

The code now lives by concern: :mod:`agb._secrets`, :mod:`agb._deadline`,
:mod:`agb._answer_guard`, :mod:`agb._exchange`, :mod:`agb._pools` and :mod:`agb._sender`
(``Transport`` was renamed :class:`~agb._sender.HTTPSender`: it is not an httpx transport).
Delete this module once ``client.py`` imports ``HTTPSender`` from :mod:`agb._sender`.
"""

from agb._sender import HTTPSender

Transport = HTTPSender

__all__ = ["Transport"]
