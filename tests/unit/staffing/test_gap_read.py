"""Reading a GAP instance: the OR-Library layout, and clear errors for anything else."""

from __future__ import annotations

import numpy as np
import pytest

from mts.domain.errors import InvalidInput
from mts.staffing.gap import GapInstance, read_gap, solve_gap

TWO_BY_THREE = """
2 3
 1 3 5
 4 5 6
 7 8 9
 1 1 2
 10 12
"""


def test_costs_weights_and_capacities_come_in_that_order() -> None:
    instance = read_gap(TWO_BY_THREE)
    assert (instance.m, instance.n) == (2, 3)
    assert instance.costs.tolist() == [[1, 3, 5], [4, 5, 6]]
    assert instance.weights.tolist() == [[7, 8, 9], [1, 1, 2]]
    assert instance.capacities.tolist() == [10, 12]


def test_line_breaks_do_not_matter() -> None:
    flat = read_gap(" ".join(TWO_BY_THREE.split()))
    assert np.array_equal(flat.costs, read_gap(TWO_BY_THREE).costs)


def test_instance_arrays_are_read_only() -> None:
    instance = read_gap(TWO_BY_THREE)
    with pytest.raises(ValueError, match="read-only"):
        instance.costs[0, 0] = 99


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "expected 'm n'"),
        ("2", "expected 'm n'"),
        ("two 3", "m \\(number of agents\\) must be a whole number, found 'two'"),
        ("2 0", "n \\(number of jobs\\) must be at least 1, found 0"),
        ("1 2 1 2 3 4", "expected 5 numbers after 'm n'.*found 4"),
        ("1 2 1 2 3 4 5 6", "expected 5 numbers after 'm n'.*found 6"),
        ("2 3 1 2 3 4 5 6 7 8 9 1 x 2 10 12", "weight of agent 1 for job 1 must be a finite"),
        ("1 1 nan 1 1", "cost of agent 0 for job 0 must be a finite number, found 'nan'"),
        ("1 1 1 1 inf", "capacity of agent 0 must be a finite number"),
        ("1 1 1 -1 5", "must not be negative"),
    ],
)
def test_malformed_text_is_rejected_with_what_was_expected(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        read_gap(text)


def test_arrays_of_mismatched_shapes_are_rejected() -> None:
    with pytest.raises(InvalidInput, match="weights are"):
        GapInstance(costs=np.ones((2, 3)), weights=np.ones((3, 2)), capacities=np.ones(2))
    with pytest.raises(InvalidInput, match="capacities are"):
        GapInstance(costs=np.ones((2, 3)), weights=np.ones((2, 3)), capacities=np.ones(3))


def test_a_time_limit_must_be_positive() -> None:
    with pytest.raises(InvalidInput, match="time_limit"):
        solve_gap(read_gap(TWO_BY_THREE), time_limit=0)


def test_the_result_has_the_json_shape_of_the_bench_command() -> None:
    result = solve_gap(read_gap(TWO_BY_THREE), time_limit=5)
    shape = result.as_dict()
    assert list(shape) == ["objective", "lower_bound", "status", "seconds", "assignment"]
    assert shape["status"] == "optimal"
    assert shape["objective"] == 1 + 5 + 6  # agent 0 holds one job; job 0 is cheapest there
    assert shape["assignment"] == [0, 1, 1]
