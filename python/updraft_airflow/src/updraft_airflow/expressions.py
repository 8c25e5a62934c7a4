"""Updraft's ``{{ path }}`` expressions, resolved exactly as the embedded engine does.

A port of ``src/spec/expressions.ts`` (``resolveValue``): a string that is exactly one
expression keeps the value's JSON type; an expression inside a longer string is
interpolated (non-strings as compact JSON); ``\\{{`` is a literal ``{{``. The operator
resolves the task here instead of letting Airflow's Jinja render user text, so a
``{%`` or ``{{`` a user wrote can never run as a template.
"""

from __future__ import annotations

import json
import re
from typing import Any, Dict, List, Mapping, Union

JsonValue = Any

_SEGMENT = r"[A-Za-z_][A-Za-z0-9_-]*"
_PATH_RE = re.compile(rf"^{_SEGMENT}(?:\.{_SEGMENT})*$")
RUN_FIELDS = ("id", "logical_date", "ds")

#: Task fields whose strings may hold expressions (``TEMPLATED_TASK_FIELDS``).
TEMPLATED_TASK_FIELDS = (
    "params",
    "env",
    "command",
    "args",
    "script",
    "left",
    "right",
    "notebook",
    "file",
    "application",
    "conf",
)


class ExpressionError(ValueError):
    """An expression is malformed or reads something the context does not have."""


Part = Union[str, List[str]]


def _parse_template(s: str) -> List[Part]:
    parts: List[Part] = []
    text = ""
    i = 0
    while True:
        open_at = s.find("{{", i)
        if open_at < 0:
            break
        if open_at > 0 and s[open_at - 1] == "\\":
            text += s[i : open_at - 1] + "{{"
            i = open_at + 2
            continue
        close = s.find("}}", open_at + 2)
        if close < 0:
            raise ExpressionError(f'{s!r} has "{{{{" without a closing "}}}}"')
        inner = s[open_at + 2 : close].strip()
        if not _PATH_RE.match(inner):
            raise ExpressionError(f"{s[open_at:close + 2]!r} is not a valid expression")
        text += s[i:open_at]
        if text:
            parts.append(text)
        text = ""
        parts.append(inner.split("."))
        i = close + 2
    text += s[i:]
    if text:
        parts.append(text)
    return parts


def _dig(value: JsonValue, rest: List[str], expression: str) -> JsonValue:
    for seg in rest:
        if not isinstance(value, dict) or seg not in value:
            raise ExpressionError(f"{expression}: the value has no field {seg!r}")
        value = value[seg]
    return value


def _lookup(path: List[str], ctx: Mapping[str, Any]) -> JsonValue:
    expression = "{{ " + ".".join(path) + " }}"
    root = path[0]
    if root == "params" and len(path) >= 2:
        params = ctx["params"]
        if path[1] not in params:
            raise ExpressionError(f"{expression}: this run has no param {path[1]!r}")
        return _dig(params[path[1]], path[2:], expression)
    if root == "tasks" and len(path) >= 4 and path[2] == "outputs":
        task = ctx["tasks"].get(path[1])
        if task is None or path[3] not in task["outputs"]:
            raise ExpressionError(
                f"{expression}: task {path[1]!r} did not publish output {path[3]!r}"
            )
        return _dig(task["outputs"][path[3]], path[4:], expression)
    if root == "run" and len(path) == 2 and path[1] in RUN_FIELDS:
        return ctx["run"][path[1]]
    if root == "workflow" and path[1:] == ["name"]:
        return ctx["workflow"]["name"]
    raise ExpressionError(f"{expression} reads nothing known")


def _render(value: JsonValue) -> str:
    # JSON.stringify's compact form, as the engine interpolates non-strings.
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def resolve_value(value: JsonValue, ctx: Mapping[str, Any]) -> JsonValue:
    """Resolves every expression in ``value`` against ``ctx``.

    ``ctx`` has ``params`` (name -> value), ``tasks`` (id -> ``{"outputs": {...}}``),
    ``run`` (``id``, ``logical_date``, ``ds``) and ``workflow`` (``name``). Raises
    :class:`ExpressionError` for a malformed template or a missing value.
    """
    if isinstance(value, str):
        if "{{" not in value:
            return value
        parts = _parse_template(value)
        if len(parts) == 1 and isinstance(parts[0], list):
            return _lookup(parts[0], ctx)
        return "".join(p if isinstance(p, str) else _render(_lookup(p, ctx)) for p in parts)
    if isinstance(value, list):
        return [resolve_value(v, ctx) for v in value]
    if isinstance(value, dict):
        return {k: resolve_value(v, ctx) for k, v in value.items()}
    return value


def resolve_task(task: Mapping[str, JsonValue], ctx: Mapping[str, Any]) -> Dict[str, JsonValue]:
    """A copy of ``task`` with its templated fields resolved (as ``resolveTask``).

    ``env`` values that resolve to non-strings become JSON text, since environment
    variables are strings.
    """
    out = dict(task)
    for field in TEMPLATED_TASK_FIELDS:
        if field in task:
            out[field] = resolve_value(task[field], ctx)
    if isinstance(out.get("env"), dict):
        out["env"] = {k: v if isinstance(v, str) else _render(v) for k, v in out["env"].items()}
    return out
