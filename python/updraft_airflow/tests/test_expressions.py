import pytest

from updraft_airflow.expressions import ExpressionError, resolve_task, resolve_value

CTX = {
    "params": {"n": 3, "name": "Ada", "cfg": {"lr": 0.1}, "flag": None},
    "tasks": {"prep": {"outputs": {"path": "/data/x", "rows": 150, "tags": ["a", "b"]}}},
    "run": {"id": "r1", "logical_date": "2024-05-01T02:00:00.000Z", "ds": "2024-05-01"},
    "workflow": {"name": "iris"},
}


def test_a_single_expression_keeps_its_type():
    assert resolve_value("{{ params.n }}", CTX) == 3
    assert resolve_value("{{tasks.prep.outputs.tags}}", CTX) == ["a", "b"]
    assert resolve_value("{{ params.flag }}", CTX) is None
    assert resolve_value("{{ params.cfg.lr }}", CTX) == 0.1


def test_interpolation_renders_non_strings_as_compact_json():
    assert resolve_value("n={{ params.n }} tags={{ tasks.prep.outputs.tags }}", CTX) == (
        'n=3 tags=["a","b"]'
    )
    assert resolve_value("{{ params.flag }}!", CTX) == "null!"
    assert resolve_value("{{ run.ds }}/{{ workflow.name }}", CTX) == "2024-05-01/iris"


def test_escaped_braces_and_other_jinja_stay_literal():
    assert resolve_value("\\{{ params.n }}", CTX) == "{{ params.n }}"
    assert resolve_value("{% raw %}{# x #}", CTX) == "{% raw %}{# x #}"


def test_values_are_walked_but_keys_are_not():
    value = {"{{ params.n }}": ["{{ params.name }}", 1, {"k": "{{ run.id }}"}]}
    assert resolve_value(value, CTX) == {"{{ params.n }}": ["Ada", 1, {"k": "r1"}]}


@pytest.mark.parametrize(
    "text",
    ["{{ params.missing }}", "{{ tasks.prep.outputs.nope }}", "{{ tasks.other.outputs.x }}",
     "{{ run.nope }}", "{{ 1 + 1 }}", "{{ params.n", "{{ params.cfg.nope }}"],
)
def test_problems_raise_expression_error(text):
    with pytest.raises(ExpressionError):
        resolve_value(text, CTX)


def test_resolve_task_resolves_templated_fields_only_and_stringifies_env():
    task = {
        "type": "python",
        "code": "print('{{ params.n }}')",
        "params": {"p": "{{ tasks.prep.outputs.path }}"},
        "env": {"N": "{{ params.n }}", "NAME": "{{ params.name }}"},
        "args": ["--rows", "{{ tasks.prep.outputs.rows }}"],
    }
    out = resolve_task(task, CTX)
    assert out["code"] == "print('{{ params.n }}')"  # inline code is not templated
    assert out["params"] == {"p": "/data/x"}
    assert out["env"] == {"N": "3", "NAME": "Ada"}
    assert out["args"] == ["--rows", 150]
    assert task["params"] == {"p": "{{ tasks.prep.outputs.path }}"}  # input untouched
