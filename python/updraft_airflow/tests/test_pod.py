import json

import pytest

from updraft_airflow.task_exec import (
    MAX_POD_INPUT_BYTES,
    POD_INPUT_ENV,
    TaskExecError,
    pod_env,
    pod_name,
    resolve_pod_base_dir,
)

LABEL_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-")


@pytest.mark.parametrize(
    "workflow,task,expected",
    [
        ("iris", "train", "updraft-iris-train"),
        ("my_flow", "Train_Model", "updraft-my-flow-train-model"),
        ("a--b", "-x-", "updraft-a-b-x"),
    ],
)
def test_pod_names_are_rfc1123_labels(workflow, task, expected):
    assert pod_name(workflow, task) == expected


def test_long_pod_names_are_cut_without_a_trailing_dash():
    name = pod_name("w" * 62, "t" * 63)
    assert len(name) <= 63 and set(name) <= LABEL_CHARS
    assert not name.endswith("-") and not name.startswith("-")
    assert pod_name("a" * 53, "b") == "updraft-" + "a" * 53 + "-b"
    assert pod_name("a" * 55, "bc") == "updraft-" + "a" * 55


def test_the_pod_base_dir_never_uses_the_worker_paths():
    assert resolve_pod_base_dir("/data/x", "w", {"UPDRAFT_POD_BASE_DIR": "/y"}) == "/data/x"
    assert resolve_pod_base_dir(None, "w", {"UPDRAFT_POD_BASE_DIR": "/srv/flows/"}) == "/srv/flows/w"
    assert resolve_pod_base_dir(None, "w", {"UPDRAFT_BASE_DIR": "/worker"}) == "/opt/updraft/workflows/w"


def test_the_pod_env_carries_the_input_as_json_and_refuses_oversized_input():
    payload = {"task": {"type": "shell", "command": "echo '$X' \"\\n\""}, "params": {"s": "\u00e9\u2028"}}
    env = pod_env(payload)
    assert list(env) == [POD_INPUT_ENV]
    assert json.loads(env[POD_INPUT_ENV]) == payload
    with pytest.raises(TaskExecError, match=r"KiB, more than the 96 KiB .* pass large values as files"):
        pod_env({"params": {"big": "x" * MAX_POD_INPUT_BYTES}})
