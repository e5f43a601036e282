"""agb._turns: the SDK's calls take turns on the event loop, so that a burst of answers never
holds it for long. Driven on a real loop with a manual clock: each piece of work "costs" what
the test says, so every outcome is decided by the rules, not by this machine's speed."""

from __future__ import annotations

import asyncio

from agb._turns import Turns, take_turn, turns_for

BUDGET = 0.002
STEP = 0.0005  # what each call's piece of work costs on the manual clock


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_within_the_budget_a_turn_costs_no_await() -> None:
    clock = Clock()
    turns = Turns(asyncio.get_running_loop(), BUDGET, clock)
    for _ in range(4):
        assert turns.take() is None
        clock.now += STEP / 2
    assert turns.waiting == 0


async def test_past_the_budget_the_rest_of_the_loop_runs_before_the_queue_moves() -> None:
    loop = asyncio.get_running_loop()
    clock = Clock()
    turns = Turns(loop, BUDGET, clock)
    log: list[str] = []

    async def call(name: str) -> None:
        waiter = turns.take()
        if waiter is not None:
            await waiter
        log.append(name)
        clock.now += STEP

    async def other() -> None:  # the program's own task, ready at the same time
        log.append("other")

    tasks = [asyncio.ensure_future(call(f"c{n}")) for n in range(10)]
    tasks.insert(5, asyncio.ensure_future(other()))
    await asyncio.gather(*tasks)

    # Four calls fit in the budget; the program's task runs before any queued call; then the
    # queue moves first come, first served.
    assert log[:5] == ["c0", "c1", "c2", "c3", "other"]
    assert log[5:] == [f"c{n}" for n in range(4, 10)]


async def test_no_burst_of_calls_outlasts_the_budget_between_two_heartbeats() -> None:
    """A heartbeat rescheduled every loop iteration sees at most budget/step calls between two
    of its beats, however many calls are ready at once (10,000 here)."""
    loop = asyncio.get_running_loop()
    clock = Clock()
    turns = Turns(loop, BUDGET, clock)
    between: list[int] = [0]
    done = 0

    async def call() -> None:
        nonlocal done
        waiter = turns.take()
        if waiter is not None:
            await waiter
        clock.now += STEP
        between[-1] += 1
        done += 1

    def beat() -> None:
        between.append(0)
        if done < 10_000:
            loop.call_soon(beat)

    loop.call_soon(beat)
    await asyncio.gather(*(call() for _ in range(10_000)))
    assert done == 10_000
    assert max(between) <= BUDGET / STEP + 1
    # ... and the queue is not starved: most iterations move it by the full batch.
    assert sum(between) / len([n for n in between if n]) >= BUDGET / STEP - 1


async def test_a_cancelled_waiter_gives_its_turn_to_the_next() -> None:
    loop = asyncio.get_running_loop()
    clock = Clock()
    turns = Turns(loop, BUDGET, clock)
    assert turns.take() is None  # the burst starts
    clock.now += 2 * BUDGET
    first, second = turns.take(), turns.take()
    assert first is not None
    assert second is not None
    first.cancel()
    await asyncio.wait_for(second, timeout=5)
    assert turns.waiting == 0


async def test_batches_follow_what_a_turn_costs() -> None:
    """After a burst of cheap turns several waiters go per iteration; after costly ones, one."""
    loop = asyncio.get_running_loop()

    async def released_after_a_burst(cost: float) -> int:
        clock = Clock()
        turns = Turns(loop, BUDGET, clock)
        assert turns.take() is None
        while True:  # calls costing `cost` each, until the budget is spent
            clock.now += cost
            waiter = turns.take()
            if waiter is not None:
                break
        waiters = [waiter, *(turns.take() for _ in range(49))]
        await asyncio.sleep(0)  # the release scheduled at the burst's start runs
        return sum(1 for waiter in waiters if waiter is not None and waiter.done())

    cheap, costly = await released_after_a_burst(0.0001), await released_after_a_burst(0.004)
    assert cheap > costly == 1


async def test_each_loop_has_its_own_turns() -> None:
    loop = asyncio.get_running_loop()
    assert turns_for(loop) is turns_for(loop)
    other = asyncio.new_event_loop()
    try:
        assert turns_for(other) is not turns_for(loop)
    finally:
        other.close()
    await take_turn(loop)  # nothing waits: returns at once
