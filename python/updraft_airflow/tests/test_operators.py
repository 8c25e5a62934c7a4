"""The operators and the generated DAG files against stand-ins of Airflow 2.7+ and
3.x module layouts (tests/airflow_stub; Airflow cannot be installed here), running
the real ``updraft task exec`` of this checkout."""
import datetime as dt
import importlib
import json
import logging
import os
import runpy
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
# UPDRAFT_TEST_BIN: a CLI built elsewhere (tsc --outDir), while dist/ is someone else's.
UPDRAFT = Path(os.environ.get("UPDRAFT_TEST_BIN") or ROOT / "bin" / "updraft")
STUB = Path(__file__).resolve().parent / "airflow_stub"
GOLDEN = ROOT / "src" / "airflow" / "__golden__"


@pytest.fixture(params=["v2", "v3"])
def airflow(request, monkeypatch):
    """Puts one stub layout on sys.path and imports updraft_airflow.operators afresh."""
    def forget():
        for name in list(sys.modules):
            if name in ("airflow", "pendulum", "airflow_stub_core", "updraft_airflow.operators") or name.startswith("airflow."):
                del sys.modules[name]

    forget()
    monkeypatch.syspath_prepend(str(STUB / "core"))
    monkeypatch.syspath_prepend(str(STUB / request.param))
    operators = importlib.import_module("updraft_airflow.operators")
    core = importlib.import_module("airflow_stub_core")
    core.KubernetesPodOperator.created.clear()
    yield request.param, operators, core
    forget()


class FakeTi:
    def __init__(self, try_number=1):
        self.try_number = try_number
        self.pushed = []

    def xcom_push(self, key, value):
        self.pushed.append((key, value))


def context(ti, params=None, run_id="scheduled__2024-05-01T02:00:00+00:00"):
    return {
        "ti": ti,
        "run_id": run_id,
        "logical_date": dt.datetime(2024, 5, 1, 2, 0, tzinfo=dt.timezone.utc),
        "params": params or {},
        "dag_run": None,
    }


def test_the_generated_file_builds_its_dag_with_either_layout(airflow):
    _layout, _operators, core = airflow
    ns = runpy.run_path(str(GOLDEN / "all-task-types.py"))
    dag = ns["dag"]
    assert isinstance(dag, core.DAG) and dag.dag_id == "all-task-types"
    assert dag.kwargs["render_template_as_native_obj"] is True
    assert isinstance(dag.kwargs["params"]["test_size"], core.Param)
    assert set(dag.tasks) >= {"prepare", "train", "gate", "report_md"}
    assert "train" in dag.tasks["prepare"].downstream
    gate = dag.tasks["gate"]
    assert isinstance(gate, core.ShortCircuitOperator)
    assert gate.ignore_downstream_trigger_rules is False
    # The templated field holds the generated ref template, not user text.
    assert "refs" in type(dag.tasks["train"]).template_fields


def test_a_task_runs_through_updraft_task_exec_and_pushes_its_outputs(airflow, tmp_path, caplog):
    _layout, operators, _core = airflow
    op = operators.UpdraftTaskOperator(
        task_id="greet",
        workflow="hello",
        spec={
            "type": "shell",
            "command": 'echo "hello from the task" >&2; '
            'printf "n=%s\\nwho=%s\\n" "$UPDRAFT_PARAM_N" "$UPDRAFT_PARAM_WHO" >> "$UPDRAFT_OUTPUTS"',
            "params": {"who": "{{ params.who }}", "n": "{{ tasks.prep.outputs.n }}"},
            "outputs": ["n", "who"],
        },
        refs={"tasks.prep.outputs.n": 'json:"42"'},
        updraft_bin=str(UPDRAFT),
        work_dir=str(tmp_path),
        base_dir=str(tmp_path),
    )
    ti = FakeTi(try_number=2)
    with caplog.at_level(logging.INFO, logger="airflow.task.greet"):
        assert op.execute(context(ti, {"who": "Ada"})) is None
    assert ti.pushed == [("n", 42), ("who", "Ada")]
    assert "hello from the task" in caplog.messages
    # The Airflow run id and try number name the attempt directory.
    assert (tmp_path / "runs" / "scheduled__2024-05-01T02:00:00+00:00" / "greet" / "2").is_dir()


def test_a_notebook_task_pushes_the_executed_notebook_path(airflow, tmp_path):
    _layout, operators, _core = airflow
    nb = {
        "cells": [
            {"cell_type": "code", "metadata": {"tags": ["parameters"]}, "source": "x = 1", "outputs": [], "execution_count": None},
            {"cell_type": "code", "metadata": {}, "source": "y = x * 2", "outputs": [], "execution_count": None},
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (tmp_path / "double.ipynb").write_text(json.dumps(nb))
    op = operators.UpdraftTaskOperator(
        task_id="double",
        workflow="nb",
        spec={"type": "notebook", "notebook": "double.ipynb", "params": {"x": 21}, "outputs": ["y"]},
        updraft_bin=str(UPDRAFT),
        work_dir=str(tmp_path / "work"),
        base_dir=str(tmp_path),
    )
    ti = FakeTi()
    op.execute(context(ti))
    pushed = dict(ti.pushed)
    assert pushed["y"] == 42
    executed = Path(pushed["notebook_path"])
    assert executed.is_file() and executed.suffix == ".ipynb"
    assert str(executed).startswith(str(tmp_path / "work"))
    assert "injected-parameters" in executed.read_text()


def test_a_failing_task_fails_the_airflow_task(airflow, tmp_path):
    _layout, operators, _core = airflow
    op = operators.UpdraftTaskOperator(
        task_id="bad", workflow="hello", spec={"type": "shell", "command": "exit 4"},
        updraft_bin=str(UPDRAFT), base_dir=str(tmp_path),
    )
    ti = FakeTi()
    with pytest.raises(operators.TaskExecError, match="exited with code 1"):
        op.execute(context(ti))
    assert ti.pushed == []


def test_the_condition_operator_compares_and_pushes_its_result(airflow):
    _layout, operators, _core = airflow
    op = operators.UpdraftConditionOperator(
        task_id="gate", workflow="w",
        spec={"type": "condition", "left": "{{ tasks.train.outputs.acc }}", "op": ">=", "right": "{{ params.min }}"},
        refs={"tasks.train.outputs.acc": "json:0.93"},
    )
    ti = FakeTi()
    assert op.execute(context(ti, {"min": 0.9})) is True
    assert ti.pushed == [("result", True)]


def test_a_task_with_an_image_runs_in_a_pod_with_the_input_in_its_environment(airflow, monkeypatch):
    layout, operators, core = airflow
    monkeypatch.setenv("UPDRAFT_POD_BASE_DIR", "/srv/workflows")
    op = operators.UpdraftTaskOperator(
        task_id="train_model", workflow="iris",
        spec={"type": "python", "script": "train.py", "params": {"who": "{{ params.who }}"}, "outputs": ["acc"]},
        image="registry.example.com/train:1.2",
        pod_kwargs={"namespace": "ml"},
    )
    ti = FakeTi()
    if layout == "v2":  # this stub layout has no cncf.kubernetes provider
        with pytest.raises(operators.TaskExecError, match="apache-airflow-providers-cncf-kubernetes"):
            op.execute(context(ti, {"who": "Ada"}))
        return
    core.KubernetesPodOperator.next_result = {"outputs": {"acc": 0.97}, "notebook": None}
    op.execute(context(ti, {"who": "Ada"}))
    assert ti.pushed == [("acc", 0.97)]
    (pod,) = core.KubernetesPodOperator.created
    assert pod.kwargs["name"] == "updraft-iris-train-model"
    assert pod.kwargs["image"] == "registry.example.com/train:1.2"
    assert pod.kwargs["namespace"] == "ml"
    assert pod.kwargs["do_xcom_push"] is True and pod.kwargs["get_logs"] is True
    sent = json.loads(pod.kwargs["env_vars"]["UPDRAFT_TASK_INPUT"])
    assert sent["baseDir"] == "/srv/workflows/iris"
    assert sent["task"]["params"] == {"who": "Ada"}
    assert pod.kwargs["cmds"][-1] == "updraft"
    op.on_kill()
    assert pod.killed is True


PASSWORD = "correct-horse-battery"


def warehouse(core, **extra):
    return core.Connection(
        conn_type="postgres", host="db.internal", port=5432, login="etl", password=PASSWORD,
        extra={"sslmode": "require", "dsn": "postgres://etl@db/analytics", **extra},
    )


def test_the_generated_file_passes_connections_to_the_operators(airflow):
    _layout, _operators, _core = airflow
    dag = runpy.run_path(str(GOLDEN / "connections.py"))["dag"]
    assert dag.tasks["export"].connections == ["warehouse", "reports_bucket"]
    assert dag.tasks["check"].connections == ["warehouse"]
    assert dag.tasks["publish"].connections == []
    assert "connections" not in dag.tasks["export"].spec


def test_a_task_gets_its_airflow_connections_as_the_engine_variables(airflow, tmp_path, caplog, monkeypatch):
    layout, operators, core = airflow
    core.BaseHook.connections = {"warehouse": warehouse(core)}
    monkeypatch.setenv("UPDRAFT_CONN_STALE", '{"name":"stale","type":"x"}')
    op = operators.UpdraftTaskOperator(
        task_id="export",
        workflow="nightly",
        spec={
            "type": "shell",
            "command": 'echo "pw=$UPDRAFT_CONN_WAREHOUSE_PASSWORD login=$UPDRAFT_CONN_WAREHOUSE_LOGIN '
            'port=$UPDRAFT_CONN_WAREHOUSE_PORT stale=${UPDRAFT_CONN_STALE:-unset}"; '
            'echo "json=$UPDRAFT_CONN_WAREHOUSE"; '
            'echo "dsn=postgres://etl:$UPDRAFT_CONN_WAREHOUSE_PASSWORD@db" >> "$UPDRAFT_OUTPUTS"',
            "outputs": ["dsn"],
        },
        connections=["warehouse"],
        updraft_bin=str(UPDRAFT),
        work_dir=str(tmp_path),
        base_dir=str(tmp_path),
    )
    ti = FakeTi()
    with caplog.at_level(logging.INFO, logger="airflow.task.export"):
        op.execute(context(ti))
    # Masked by updraft task exec before it reaches the Airflow task log and XCom.
    assert ti.pushed == [("dsn", "postgres://etl:***@db")]
    assert "pw=*** login=etl port=5432 stale=unset" in caplog.messages
    assert not any(PASSWORD in m for m in caplog.messages)
    (line,) = [m for m in caplog.messages if m.startswith("json=")]
    assert json.loads(line[len("json="):]) == {
        "name": "warehouse", "type": "postgres", "host": "db.internal", "port": "5432",
        "login": "etl", "password": "***", "sslmode": "require",
        # Airflow 2's should_hide_value_for_key (with `dsn` configured) is used where it exists.
        "dsn": "***" if layout == "v2" else "postgres://etl@db/analytics",
    }
    # And registered with Airflow's own masker.
    assert PASSWORD in core.MASKED
    assert ("postgres://etl@db/analytics" in core.MASKED) is (layout == "v2")


def test_a_missing_connection_fails_the_task_without_retries_and_runs_nothing(airflow, tmp_path):
    _layout, operators, core = airflow
    marker = tmp_path / "ran"
    for spec in ({"type": "shell", "command": f"touch {marker}"}, {"type": "empty"}):
        op = operators.UpdraftTaskOperator(
            task_id="export", workflow="nightly", spec=spec, connections=["warehouse"],
            updraft_bin=str(UPDRAFT), base_dir=str(tmp_path),
        )
        with pytest.raises(core.AirflowFailException, match=r"task export: there is no Airflow connection 'warehouse'"):
            op.execute(context(FakeTi()))
    assert not marker.exists()
    gate = operators.UpdraftConditionOperator(
        task_id="gate", workflow="w", spec={"type": "condition", "left": 1, "op": "==", "right": 1},
        connections=["warehouse"],
    )
    with pytest.raises(core.AirflowFailException, match="no Airflow connection 'warehouse'"):
        gate.execute(context(FakeTi()))


def test_an_unreachable_connection_store_is_an_ordinary_failure(airflow, tmp_path):
    _layout, operators, core = airflow
    core.BaseHook.failure = OSError("metadata database unreachable")
    op = operators.UpdraftTaskOperator(
        task_id="export", workflow="nightly", spec={"type": "shell", "command": "true"},
        connections=["warehouse"], updraft_bin=str(UPDRAFT), base_dir=str(tmp_path),
    )
    with pytest.raises(operators.TaskExecError, match="cannot read Airflow connection 'warehouse'") as info:
        op.execute(context(FakeTi()))
    assert not isinstance(info.value, core.AirflowFailException)


def test_a_pod_task_with_connections_is_refused_before_any_pod_exists(airflow):
    _layout, operators, core = airflow
    core.BaseHook.connections = {"warehouse": warehouse(core)}
    op = operators.UpdraftTaskOperator(
        task_id="train", workflow="iris", spec={"type": "python", "script": "train.py"},
        image="registry.example.com/train:1.2", connections=["warehouse"],
    )
    with pytest.raises(core.AirflowFailException, match=r"sets `image`: a pod cannot be given connections"):
        op.execute(context(FakeTi()))
    assert core.KubernetesPodOperator.created == []
    assert core.MASKED == []


def test_a_short_password_fails_the_task_as_the_engine_refuses_it(airflow, tmp_path):
    _layout, operators, core = airflow
    core.BaseHook.connections = {"warehouse": core.Connection(conn_type="postgres", password="airflow")}
    op = operators.UpdraftTaskOperator(
        task_id="export", workflow="nightly", spec={"type": "shell", "command": "true"},
        connections=["warehouse"], updraft_bin=str(UPDRAFT), base_dir=str(tmp_path),
    )
    with pytest.raises(core.AirflowFailException, match="password is shorter than 8 characters"):
        op.execute(context(FakeTi()))
