"""How often the subgradient repairs a plan: every ``repair_every`` steps, or more rarely
when a repair is slow beside a step (at 100,000 people, 7 s against 0.36 s)."""

from __future__ import annotations

from mts.staffing.relaxation import _RepairPace


def _repairs(every: int, steps: int, step_seconds: float, repair_seconds: float) -> list[int]:
    pace, at = _RepairPace(every), []
    for step in range(steps):
        pace.stepped(step_seconds)
        if pace.due():
            at.append(step)
            pace.repaired(repair_seconds)
    return at


def test_quick_repairs_come_at_the_first_step_and_every_repair_every_steps() -> None:
    assert _repairs(20, 61, step_seconds=0.1, repair_seconds=0.5) == [0, 20, 40, 60]


def test_repairs_under_a_second_never_change_the_pace_so_small_rounds_repeat() -> None:
    """Small rounds' timings vary from run to run; their plans must not."""
    assert _repairs(20, 61, step_seconds=0.001, repair_seconds=0.9) == [0, 20, 40, 60]


def test_slow_repairs_are_spaced_so_that_they_take_about_a_third_of_the_time() -> None:
    at = _repairs(20, 120, step_seconds=0.36, repair_seconds=7.0)
    assert at == [0, 39, 78, 117]
    steps, repairs = 0.36 * (at[-1] - at[0]), 7.0 * (len(at) - 1)
    assert 0.3 <= repairs / (steps + repairs) <= 1 / 3
