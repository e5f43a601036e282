"""pytest fixtures for code tested against the emulator (see docs/emulator.md).

Enable with ``pytest_plugins = ["agb.emulator.pytest_plugin"]`` in a root ``conftest.py`` (or
``-p agb.emulator.pytest_plugin``). Two servers are offered:

* ``agb_emulator``: real time with fast transitions (0.05 s), so code under test that builds a
  plain ``AGB(...)`` works as it would against the service, only quicker::

      def test_agent(agb_emulator):
          agent = MyAgent(AGB(api_key=agb_emulator.api_key,
                              cfg=Config(endpoint=agb_emulator.base_url)))
          ...

* ``agb_emulator_manual``: time stands still until ``agb_emulator_clock`` is advanced; give
  the same clock to the SDK so that its waits move the emulator's time and nothing sleeps::

      def test_pause(agb_emulator_manual, agb_emulator_clock):
          client = AGB(
              api_key=agb_emulator_manual.api_key,
              cfg=Config(endpoint=agb_emulator_manual.base_url),
              clock=agb_emulator_clock,
              sleep=agb_emulator_clock.advance,
          )

Both take the network profile of ``agb_emulator_network`` (none by default); to test under
latency, parametrize it::

    @pytest.mark.parametrize("agb_emulator_network", [{"latency_ms": 40, "jitter_ms": 5}])
    def test_agent_on_a_slow_link(agb_emulator): ...

Override ``agb_emulator_config`` (or ``agb_emulator_manual_config``) in a test module to change
the rest of the configuration.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import attrs
import pytest

from agb.emulator._clock import ManualClock
from agb.emulator._config import EmulatorConfig
from agb.emulator._server import RunningEmulator, serve

#: How long PAUSING, RESUMING, DELETING and context syncs last on the fixtures' servers.
FAST_SECONDS = 0.05


@pytest.fixture
def agb_emulator_network() -> Mapping[str, Any]:
    """The network profile of the fixtures' servers: ``EmulatorConfig`` fields ``latency_ms``,
    ``connect_latency_ms`` and ``jitter_ms``; empty (no delays) by default."""
    return {}


@pytest.fixture
def agb_emulator_config(agb_emulator_network: Mapping[str, Any]) -> EmulatorConfig:
    """Key ``test-key``, seeded ids, real time, transitions and syncs of 0.05 s, no faults,
    the network profile of ``agb_emulator_network``.

    Raises:
        TypeError: ``agb_emulator_network`` names something other than the profile's fields.
    """
    unknown = set(agb_emulator_network) - {"latency_ms", "connect_latency_ms", "jitter_ms"}
    if unknown:
        raise TypeError(f"agb_emulator_network has no field {sorted(unknown)}")
    return EmulatorConfig(
        api_key="test-key",
        seed=0,
        transition_seconds=FAST_SECONDS,
        context_sync_seconds=FAST_SECONDS,
        **agb_emulator_network,
    )


@pytest.fixture
def agb_emulator(
    agb_emulator_config: EmulatorConfig, request: pytest.FixtureRequest
) -> Iterator[RunningEmulator]:
    """An emulator on a free loopback port for the test; see :func:`agb.emulator.serve`.

    Raises:
        pytest.fail: The test also asks for ``agb_emulator_clock`` while this server runs on
            another clock (advancing it would move nothing): use ``agb_emulator_manual``.
    """
    if "agb_emulator_clock" in request.fixturenames and not isinstance(
        agb_emulator_config.clock, ManualClock
    ):
        pytest.fail(
            "agb_emulator runs on real time, so agb_emulator_clock would not move it: "
            "use agb_emulator_manual with agb_emulator_clock",
            pytrace=False,
        )
    with serve(agb_emulator_config) as server:
        yield server


@pytest.fixture
def agb_emulator_clock() -> ManualClock:
    """The clock of the ``agb_emulator_manual`` fixture's server."""
    return ManualClock()


@pytest.fixture
def agb_emulator_manual_config(
    agb_emulator_config: EmulatorConfig, agb_emulator_clock: ManualClock
) -> EmulatorConfig:
    """``agb_emulator_config`` with its time on ``agb_emulator_clock``."""
    return attrs.evolve(agb_emulator_config, clock=agb_emulator_clock)


@pytest.fixture
def agb_emulator_manual(agb_emulator_manual_config: EmulatorConfig) -> Iterator[RunningEmulator]:
    """An emulator on a free loopback port whose time moves only with ``agb_emulator_clock``."""
    with serve(agb_emulator_manual_config) as server:
        yield server
