import datetime as dt
import json

import pytest

from updraft_airflow.task_exec import (
    POD_INPUT_ENV,
    ExecResult,
    TaskExecError,
    build_exec_input,
    decode_ref,
    exec_command,
    expression_context,
    iso_utc,
    outputs_from_refs,
    parse_exec_output,
    pod_command,
    pod_resources,
    resolve_base_dir,
    run_fields,
    xcom_push_plan,
)

RUN = {"id": "manual__1", "logical_date": "2024-05-01T02:00:00.000Z", "ds": "2024-05-01"}


def test_refs_decode_to_the_exact_json_values():
    refs = {
        "tasks.prep.outputs.n": 'json:"123"',
        "tasks.prep.outputs.rows": "json:150",
        "tasks.train.outputs.acc": "json:null",
    }
    assert outputs_from_refs(refs) == {
        "prep": {"outputs": {"n": "123", "rows": 150}},
        "train": {"outputs": {"acc": None}},
    }


@pytest.mark.parametrize("bad", [123, None, "123", "{{ ti.xcom_pull() }}"])
def test_an_unrendered_ref_is_an_error(bad):
    with pytest.raises(ValueError):
        decode_ref("tasks.a.outputs.b", bad)


def test_run_fields_use_the_engine_iso_form_and_a_fallback_without_logical_date():
    paris = dt.timezone(dt.timedelta(hours=2))
    assert run_fields("r", dt.datetime(2024, 5, 1, 4, 0, 0, 123456, tzinfo=paris), dt.datetime.now()) == {
        "id": "r",
        "logical_date": "2024-05-01T02:00:00.123Z",
        "ds": "2024-05-01",
    }
    after = dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
    assert run_fields("r", None, after)["logical_date"] == "2024-01-02T03:04:05.000Z"
    assert iso_utc(dt.datetime(2024, 1, 1)) == "2024-01-01T00:00:00.000Z"


def test_build_exec_input_resolves_the_task_and_merges_params():
    spec = {
        "type": "shell",
        "command": "echo \"$UPDRAFT_PARAM_P\"",
        "params": {"p": "{{ tasks.prep.outputs.n }}", "model": "forest"},
        "outputs": ["x"],
    }
    ctx = expression_context(
        "iris", {"model": "logreg", "size": 0.2}, {"tasks.prep.outputs.n": "json:7"}, RUN
    )
    payload = build_exec_input(
        workflow="iris", run_id=RUN["id"], task_id="t", attempt=2, spec=spec, context=ctx,
        base_dir="/srv/wf",
    )
    assert payload == {
        "workflow": "iris",
        "runId": "manual__1",
        "taskId": "t",
        "attempt": 2,
        "task": {**spec, "params": {"p": 7, "model": "forest"}},
        "params": {"model": "forest", "size": 0.2, "p": 7},
        "baseDir": "/srv/wf",
    }
    json.dumps(payload)  # what goes to stdin must be JSON


def test_exec_command(monkeypatch):
    monkeypatch.delenv("UPDRAFT_BIN", raising=False)
    assert exec_command() == ["updraft", "task", "exec", "-"]
    assert exec_command("/opt/updraft", "/var/updraft") == [
        "/opt/updraft", "task", "exec", "-", "--work-dir", "/var/updraft",
    ]
    monkeypatch.setenv("UPDRAFT_BIN", "/usr/local/bin/updraft")
    assert exec_command()[0] == "/usr/local/bin/updraft"


def test_resolve_base_dir():
    assert resolve_base_dir("/x", "wf", "/dags/wf.py", {}) == "/x"
    assert resolve_base_dir(None, "wf", "/dags/wf.py", {"UPDRAFT_BASE_DIR": "/srv"}) == "/srv/wf"
    assert resolve_base_dir(None, "wf", "/dags/wf.py", {}) == "/dags/wf"


def test_parse_exec_output():
    r = parse_exec_output('{"outputs": {"a": 1}, "notebook": "/w/out.ipynb"}\n')
    assert r == ExecResult({"a": 1}, "/w/out.ipynb")
    assert parse_exec_output('stray line\n{"outputs": {}, "notebook": null, "proceed": false}').proceed is False


@pytest.mark.parametrize(
    "text",
    ["", "not json", "[1]", '{"notebook": null}', '{"outputs": [], "notebook": null}',
     '{"outputs": {}, "notebook": 3}', '{"outputs": {}, "proceed": "yes"}'],
)
def test_parse_exec_output_rejects_anything_else(text):
    with pytest.raises(TaskExecError):
        parse_exec_output(text)


def test_xcom_push_plan():
    assert xcom_push_plan(ExecResult({"acc": 0.9, "n": 3}, "/w/o.ipynb")) == [
        ("acc", 0.9), ("n", 3), ("notebook_path", "/w/o.ipynb"),
    ]
    assert xcom_push_plan(ExecResult({}, None)) == []
    # A declared output named notebook_path wins over the path.
    assert xcom_push_plan(ExecResult({"notebook_path": "mine"}, "/w/o.ipynb")) == [
        ("notebook_path", "mine"),
    ]


def test_pod_command_never_pastes_the_input():
    argv = pod_command("updraft")
    assert argv[:2] == ["/bin/sh", "-c"]
    assert f'"${POD_INPUT_ENV}"' in argv[2] and "/airflow/xcom/return.json" in argv[2]
    assert argv[3] == "updraft"


def test_pod_resources():
    assert pod_resources(None) is None
    assert pod_resources({"cpu": 2, "memory": "4Gi", "gpu": 1}) == {
        "requests": {"cpu": "2", "memory": "4Gi"},
        "limits": {"memory": "4Gi", "nvidia.com/gpu": "1"},
    }


def test_output_values_with_unicode_line_separators_stay_in_one_json_line():
    out = json.dumps({"outputs": {"s": "a\u2028b\u2029c\x85d\x1ce"}, "notebook": None}, ensure_ascii=False)
    assert parse_exec_output(f"log noise\n{out}\n").outputs == {"s": "a\u2028b\u2029c\x85d\x1ce"}
