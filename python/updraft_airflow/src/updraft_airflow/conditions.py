"""Condition comparison, as the engine's ``compareValues`` (src/tasks/condition-runner.ts).

Numbers (and numeric strings against numbers) compare numerically, strings
lexicographically (by code point); ``==`` and ``!=`` compare lists and objects deeply.
Ordering anything else raises :class:`ConditionError`.
"""

from __future__ import annotations

import math
import re
from typing import Any, Optional, Tuple

OPS = ("==", "!=", ">", ">=", "<", "<=")
_NUMERIC = re.compile(r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$")


class ConditionError(ValueError):
    """The two sides cannot be compared with the operator."""


def _is_number(v: Any) -> bool:
    # bool is an int in Python but a boolean in JSON.
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _numeric_string(v: Any) -> Optional[float]:
    if not isinstance(v, str) or not _NUMERIC.match(v):
        return None
    n = float(v)
    return n if math.isfinite(n) else None


def _as_numbers(left: Any, right: Any) -> Optional[Tuple[float, float]]:
    if _is_number(left) and _is_number(right):
        return left, right
    if _is_number(left):
        r = _numeric_string(right)
        return None if r is None else (left, r)
    if _is_number(right):
        l = _numeric_string(left)
        return None if l is None else (l, right)
    return None


def _json_equal(a: Any, b: Any) -> bool:
    if _is_number(a) and _is_number(b):
        return a == b
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(_json_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_json_equal(a[k], b[k]) for k in a)
    return a == b


def compare_values(left: Any, op: str, right: Any) -> bool:
    """``left op right`` with the engine's rules; raises ConditionError otherwise."""
    if op not in OPS:
        raise ConditionError(f"condition has unknown operator {op!r}; use one of {' '.join(OPS)}")
    numbers = _as_numbers(left, right)
    if op in ("==", "!="):
        equal = numbers[0] == numbers[1] if numbers is not None else _json_equal(left, right)
        return equal if op == "==" else not equal
    if numbers is not None:
        order = (numbers[0] > numbers[1]) - (numbers[0] < numbers[1])
    elif isinstance(left, str) and isinstance(right, str):
        # JavaScript compares UTF-16 code units; equal to code points outside surrogates.
        order = (left > right) - (left < right)
    else:
        hint = (
            " (a null side often means an upstream task did not publish that output)"
            if left is None or right is None
            else ""
        )
        raise ConditionError(
            f"condition cannot compare {left!r} with {right!r} using `{op}`; "
            f"`{op}` needs two numbers or two strings{hint}"
        )
    return {">": order > 0, ">=": order >= 0, "<": order < 0, "<=": order <= 0}[op]
