"""run_exec against the real ``updraft task exec`` of this checkout (bin/updraft,
built by ``make setup``): the same subprocess the operator starts on a worker."""
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from updraft_airflow.local_exec import kill_group, run_exec
from updraft_airflow.task_exec import TaskExecError, exec_command

UPDRAFT = Path(__file__).resolve().parents[3] / "bin" / "updraft"
BUILT = UPDRAFT.parent.parent / "dist" / "cli" / "main.js"


@pytest.fixture(autouse=True)
def _built():
    assert BUILT.exists(), f"{BUILT} is missing: run `make build` (or make setup) first"


def payload(task, **extra):
    base = {
        "workflow": "hello",
        "runId": "manual__2024-01-01T00:00:00+00:00",
        "taskId": "greet",
        "attempt": 1,
        "task": task,
        "params": task.get("params", {}),
        "baseDir": ".",
    }
    base.update(extra)
    return base


def test_outputs_come_back_and_every_log_line_is_streamed(tmp_path):
    task = {
        "type": "shell",
        "command": 'echo "line one"; echo "line two" >&2; '
        'printf "n=5\\nwho=%s\\n" "$UPDRAFT_PARAM_WHO" >> "$UPDRAFT_OUTPUTS"',
        "params": {"who": "Ada \u00e9\u2028"},
        "outputs": ["n", "who"],
    }
    lines = []
    started = []
    result = run_exec(
        exec_command(str(UPDRAFT), str(tmp_path)), payload(task), lines.append, started.append
    )
    assert result.outputs == {"n": 5, "who": "Ada \u00e9\u2028"}
    assert result.notebook is None
    assert "line one" in lines and "line two" in lines
    assert len(started) == 1 and started[0].returncode == 0
    # --work-dir keeps the attempt directory with its log.
    assert list(tmp_path.glob("runs/*/greet/1"))


def test_a_failing_task_names_the_exit_code_and_the_last_log_lines():
    task = {"type": "shell", "command": "echo 'about to fail' >&2; exit 3"}
    with pytest.raises(TaskExecError, match=r"exited with code 1: .*about to fail.*failed"):
        run_exec(exec_command(str(UPDRAFT)), payload(task), lambda _line: None)


def test_invalid_input_is_reported_by_the_cli_itself():
    with pytest.raises(TaskExecError, match=r"input\.attempt"):
        run_exec(exec_command(str(UPDRAFT)), payload({"type": "empty"}, attempt=0), lambda _l: None)


def test_a_missing_executable_says_what_to_install(tmp_path):
    with pytest.raises(TaskExecError, match="install the updraft CLI on the worker or set UPDRAFT_BIN"):
        run_exec([str(tmp_path / "no-updraft"), "task", "exec", "-"], payload({"type": "empty"}), print)


def test_a_result_that_is_not_json_is_an_error(tmp_path):
    fake = tmp_path / "prints-garbage"
    fake.write_text(f"#!{sys.executable}\nimport sys\nsys.stdin.read()\nprint('not json')\n")
    fake.chmod(0o755)
    with pytest.raises(TaskExecError, match="not JSON"):
        run_exec([str(fake)], payload({"type": "empty"}), print)


def test_kill_group_stops_the_task_and_its_children(tmp_path):
    marker = tmp_path / "pid"
    task = {"type": "shell", "command": f"sleep 30 & echo $! > {marker}; echo started >&2; wait"}
    box = {}
    lines = []

    def on_line(line):
        lines.append(line)
        if "started" in line:
            kill_group(box["process"])

    with pytest.raises(TaskExecError, match=r"was killed by signal|exited with code"):
        run_exec(exec_command(str(UPDRAFT)), payload(task), on_line, lambda p: box.update(process=p))
    child = int(marker.read_text())
    # The background sleep was in the group too: it is gone (or a zombie being reaped).
    try:
        os.kill(child, 0)
        state = Path(f"/proc/{child}/stat").read_text().split()[2]
        assert state == "Z"
    except ProcessLookupError:
        pass
    assert kill_group(box["process"]) is False
