"""What the suites share; every helper of the tests lives here, named by what it holds.

* ``clock``: :class:`FakeClock`, the one test clock (a ManualClock the SDK's sleeps move).
* ``fakes``: :class:`FakeServer`, the one fake AGB service for ``httpx.MockTransport``, the
  answers it gives, ``make_agb`` and the sync/async :class:`Runner`.
* ``asserts``: checks every suite makes (the key shows nowhere; what a call produced).
* ``emulator``: real emulators on loopback (shared servers, an AGB on one, sockets, transports
  that record). The emulator's own pytest fixtures come from ``agb.emulator.pytest_plugin``.
* ``wire``: the AGB operations as plain HTTP calls, and envelope checks.
* ``raw_server``: a hostile server writing raw bytes to loopback sockets.
* ``cassettes``: the vcrpy setup and the rig of the cassette-backed tests.
* ``plans``: driving a plan generator by hand with scripted replies.
* ``cli``: running ``agb ...`` in-process, and the CLI's one-line error check.
"""
