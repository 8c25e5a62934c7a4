"""Running ``updraft task exec`` as a subprocess of the Airflow worker, without
Airflow: the task input goes to its stdin, every line of its stderr (the task's log)
goes to a callback as it arrives (the operator passes its task logger), and the JSON
it prints on stdout becomes an :class:`ExecResult`.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import tempfile
from collections import deque
from typing import Any, Callable, Mapping, Optional, Sequence

from .task_exec import ExecResult, TaskExecError, parse_exec_output

#: How many of the last log lines a failure message repeats.
TAIL_LINES = 5


def run_exec(
    argv: Sequence[str],
    payload: Mapping[str, Any],
    log_line: Callable[[str], None],
    on_start: Optional[Callable[["subprocess.Popen[bytes]"], None]] = None,
    env: Optional[Mapping[str, str]] = None,
) -> ExecResult:
    """Runs ``argv`` with ``payload`` as JSON on stdin, streams its stderr lines to
    ``log_line`` and returns the parsed stdout. The process gets its own process group
    (see :func:`kill_group`). Raises TaskExecError when it cannot start, exits
    non-zero (naming the code and the last log lines) or prints no result."""
    tail: "deque[str]" = deque(maxlen=TAIL_LINES)
    with tempfile.TemporaryFile() as out:
        try:
            process = subprocess.Popen(
                list(argv),
                stdin=subprocess.PIPE,
                stdout=out,
                stderr=subprocess.PIPE,
                start_new_session=True,
                env=None if env is None else dict(env),
            )
        except OSError as err:
            raise TaskExecError(
                f"cannot start {argv[0]!r}: {err.strerror or err}; install the updraft CLI on "
                "the worker or set UPDRAFT_BIN"
            ) from None
        if on_start is not None:
            on_start(process)
        assert process.stdin is not None and process.stderr is not None
        try:
            process.stdin.write(json.dumps(payload).encode("utf-8"))
        except BrokenPipeError:
            pass  # It exited early; its exit code and log say why.
        finally:
            process.stdin.close()
        for raw in process.stderr:
            line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            tail.append(line)
            log_line(line)
        code = process.wait()
        out.seek(0)
        stdout = out.read().decode("utf-8", errors="replace")
    if code != 0:
        how = f"was killed by signal {-code}" if code < 0 else f"exited with code {code}"
        last = "; ".join(line for line in tail if line.strip())
        raise TaskExecError(f"updraft task exec {how}" + (f": {last}" if last else ""))
    return parse_exec_output(stdout)


def kill_group(process: "subprocess.Popen[bytes]", sig: int = signal.SIGTERM) -> bool:
    """Signals the process group of a running :func:`run_exec` process (the task and
    everything it started); False when it has already ended."""
    if process.poll() is not None:
        return False
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        return False
    return True
