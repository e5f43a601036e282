"""EmulatorConfig: defaults that fit by themselves, and errors that name the fields."""

from __future__ import annotations

import pytest

from agb.emulator import EmulatorConfig


@pytest.mark.parametrize("transition", [0.1, 0.2, 0.05, 0])
def test_the_default_stale_time_fits_any_transition(transition: float) -> None:
    config = EmulatorConfig(transition_seconds=transition)
    assert config.stale_seconds == 0  # no stale status unless asked for


def test_an_explicit_impossible_pair_names_the_fields() -> None:
    with pytest.raises(ValueError, match="stale_seconds must be smaller than transition_seconds"):
        EmulatorConfig(transition_seconds=0.1, stale_seconds=0.2)
    with pytest.raises(ValueError, match="stale_seconds"):
        EmulatorConfig(transition_seconds=0, stale_seconds=0.1)
    assert EmulatorConfig(transition_seconds=0.2, stale_seconds=0.1).stale_seconds == 0.1


@pytest.mark.parametrize("value", [0, -1, float("inf"), float("nan")])
def test_the_body_deadline_must_be_a_positive_number(value: float) -> None:
    with pytest.raises(ValueError, match="read_timeout_seconds must be a finite number > 0"):
        EmulatorConfig(read_timeout_seconds=value)
