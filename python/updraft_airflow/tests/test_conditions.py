import pytest

from updraft_airflow.conditions import ConditionError, compare_values


@pytest.mark.parametrize(
    "left,op,right,expected",
    [
        (0.93, ">=", 0.9, True),
        ("0.93", ">=", 0.9, True),  # outputs interpolated into text arrive as strings
        (5, "<", "10", True),
        ("5", "<", "10", False),  # two strings compare as text
        ("b", ">", "a", True),
        (1, "==", 1.0, True),
        (1, "==", "1", True),
        (True, "==", 1, False),  # a boolean is not a number
        ([1, {"a": 2}], "==", [1, {"a": 2}], True),
        ({"a": 1}, "!=", {"a": 2}, True),
        (None, "==", None, True),
        ("x", "!=", None, True),
    ],
)
def test_compare_values(left, op, right, expected):
    assert compare_values(left, op, right) is expected


@pytest.mark.parametrize(
    "left,op,right",
    [(None, ">", 1), (True, "<", False), ([1], ">=", [0]), (1, ">", "abc"), (1, "=~", 1)],
)
def test_ordering_what_cannot_be_ordered_raises(left, op, right):
    with pytest.raises(ConditionError):
        compare_values(left, op, right)


def test_null_side_gets_a_hint():
    with pytest.raises(ConditionError, match="did not publish"):
        compare_values(None, ">=", 0.9)
