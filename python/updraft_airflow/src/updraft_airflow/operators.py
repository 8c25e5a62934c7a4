"""The Airflow operators of generated DAGs. Importing this module imports Airflow;
``updraft_airflow`` loads it only when an operator is first used, so the pure helpers
(and their tests) work without Airflow installed.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import subprocess
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence

from .conditions import compare_values
from .connections import ConnectionGrant, ConnectionGrantError, grant_connections, task_env
from .expressions import resolve_value
from .local_exec import kill_group, run_exec
from .task_exec import (
    ExecResult,
    TaskExecError,
    build_exec_input,
    exec_command,
    expression_context,
    parse_exec_output,
    pod_command,
    pod_env,
    pod_name,
    pod_resources,
    resolve_base_dir,
    resolve_pod_base_dir,
    run_fields,
    xcom_push_plan,
)

try:  # Airflow 3.x: operators subclass the Task SDK's BaseOperator.
    from airflow.sdk import BaseOperator
except ImportError:  # Airflow 2.7+
    from airflow.models.baseoperator import BaseOperator

try:  # Airflow 3.x: ShortCircuitOperator moved to the standard provider.
    from airflow.providers.standard.operators.python import ShortCircuitOperator
except ImportError:  # Airflow 2.7+
    from airflow.operators.python import ShortCircuitOperator


def _import_first(candidates: Sequence[str], attr: str) -> Any:
    """``attr`` of the first module of ``candidates`` that has it (newest Airflow first)."""
    for module in candidates:
        try:
            return getattr(__import__(module, fromlist=[attr]), attr)
        except (ImportError, AttributeError):
            continue
    return None


# Airflow 3.1+, 3.0, 2.x: where the secrets masker lives.
_MASKER_MODULES = (
    "airflow.sdk.log",
    "airflow.sdk._shared.secrets_masker",
    "airflow.sdk.execution_time.secrets_masker",
    "airflow.utils.log.secrets_masker",
)


def _grant(task_id: str, names: Sequence[str], image: Optional[str]) -> Optional[ConnectionGrant]:
    """The task's connections from Airflow's connection store, every secret registered
    with Airflow's masker. A missing or unusable connection fails the task without
    retries (as on the engine); an unreachable store is retried."""
    if not names:
        return None
    fail = (
        _import_first(("airflow.sdk.exceptions", "airflow.exceptions"), "AirflowFailException")
        or TaskExecError
    )
    if image:
        # A pod's environment is written into its manifest, where the secrets would sit in the clear.
        raise fail(
            f"task {task_id} names connections ({', '.join(names)}) and sets `image`: a pod "
            "cannot be given connections, since its environment would hold the secrets in the "
            "clear in the pod manifest; mount a Kubernetes Secret through pod_kwargs instead, "
            "or run the task without `image`"
        )
    hook = _import_first(("airflow.sdk", "airflow.hooks.base"), "BaseHook")
    hide: Optional[Callable[[str], bool]] = _import_first(_MASKER_MODULES[1:], "should_hide_value_for_key")
    try:
        grant = (
            grant_connections(names, hook.get_connection, hide)
            if hide is not None
            else grant_connections(names, hook.get_connection)
        )
    except ConnectionGrantError as err:
        raise fail(f"task {task_id}: {err}") from err
    mask = _import_first(_MASKER_MODULES, "mask_secret")
    if mask is not None:
        for secret in grant.secrets:
            mask(secret)
    return grant


def _context_values(context: Mapping[str, Any], workflow: str, refs: Mapping[str, Any]) -> Dict[str, Any]:
    """Updraft's expression context from an Airflow task context."""
    dag_run = context.get("dag_run")
    fallback = (
        getattr(dag_run, "run_after", None)
        or getattr(dag_run, "start_date", None)
        or getattr(dag_run, "logical_date", None)
    )
    run = run_fields(
        str(context.get("run_id")),
        context.get("logical_date"),
        fallback or _dt.datetime.now(_dt.timezone.utc),
    )
    params = context.get("params") or {}
    return expression_context(workflow, {k: params[k] for k in params}, refs or {}, run)


class UpdraftTaskOperator(BaseOperator):
    """Runs one Updraft task with ``updraft task exec``: as a subprocess on the worker,
    or in a Kubernetes pod when ``image`` is set. Streams the task's log into the
    Airflow task log, pushes each output to XCom under its name and the executed
    notebook's path under ``notebook_path``.

    :param workflow: the workflow's name.
    :param spec: the task as exported (defaults merged, expressions unresolved).
    :param refs: rendered upstream outputs (generated templates; see docs/airflow.md).
    :param image: run in a pod of this image (needs the cncf.kubernetes provider).
    :param base_dir: the workflow's files (default ``$UPDRAFT_BASE_DIR/<workflow>``).
    :param updraft_bin: the ``updraft`` executable (default ``$UPDRAFT_BIN`` or ``updraft``).
    :param work_dir: keep attempt directories (logs, notebooks) under this directory.
    :param pod_kwargs: extra KubernetesPodOperator arguments (namespace, ...).
    :param connections: Airflow connection ids the task gets as ``UPDRAFT_CONN_*``
        variables (not with ``image``); default the spec's ``connections``.
    """

    template_fields = ("refs",)
    ui_color = "#dbeafe"

    def __init__(
        self,
        *,
        workflow: str,
        spec: Dict[str, Any],
        refs: Optional[Dict[str, str]] = None,
        image: Optional[str] = None,
        base_dir: Optional[str] = None,
        updraft_bin: Optional[str] = None,
        work_dir: Optional[str] = None,
        pod_kwargs: Optional[Dict[str, Any]] = None,
        connections: Optional[Sequence[str]] = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.workflow = workflow
        self.spec = spec
        self.refs = refs or {}
        self.connections: List[str] = list(
            connections if connections is not None else spec.get("connections") or []
        )
        self.image = image
        self.base_dir = base_dir
        self.updraft_bin = updraft_bin
        self.work_dir = work_dir
        self.pod_kwargs = pod_kwargs or {}
        self._process: Optional["subprocess.Popen[bytes]"] = None
        self._pod: Any = None

    def execute(self, context: Any) -> None:
        # Before anything runs, empty tasks too: the engine fails them on a missing connection.
        grant = _grant(self.task_id, self.connections, self.image)
        if self.spec.get("type") == "empty":
            return None
        values = _context_values(context, self.workflow, self.refs)
        ti = context["ti"]
        base_dir = (
            resolve_pod_base_dir(self.base_dir, self.workflow, os.environ)
            if self.image
            else resolve_base_dir(
                self.base_dir, self.workflow, getattr(self.dag, "fileloc", None), os.environ
            )
        )
        payload = build_exec_input(
            workflow=self.workflow,
            run_id=values["run"]["id"],
            task_id=self.task_id,
            attempt=getattr(ti, "try_number", 1) or 1,
            spec=self.spec,
            context=values,
            base_dir=base_dir,
        )
        if self.connections:
            # updraft task exec checks their variables are there and masks their secrets.
            payload["task"]["connections"] = list(self.connections)
        result = (
            self._run_in_pod(payload, context) if self.image else self._run_local(payload, grant)
        )
        for key, value in xcom_push_plan(result):
            ti.xcom_push(key=key, value=value)
        return None

    def _run_local(self, payload: Dict[str, Any], grant: Optional[ConnectionGrant] = None) -> ExecResult:
        argv = exec_command(self.updraft_bin, self.work_dir)
        self.log.info("running %s", " ".join(argv))

        def remember(process: "subprocess.Popen[bytes]") -> None:
            self._process = process

        # Each line of the task's log becomes a line of the Airflow task log.
        env = task_env(os.environ, grant) if grant is not None else None
        return run_exec(argv, payload, lambda line: self.log.info("%s", line), remember, env)

    def _run_in_pod(self, payload: Dict[str, Any], context: Any) -> ExecResult:
        try:
            from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
        except ImportError as err:
            raise TaskExecError(
                "a task with `image` needs apache-airflow-providers-cncf-kubernetes"
            ) from err
        kwargs: Dict[str, Any] = {
            "task_id": f"{self.task_id}-pod",
            "name": pod_name(self.workflow, self.task_id),
            "image": self.image,
            "cmds": pod_command(self.updraft_bin or "updraft"),
            "env_vars": pod_env(payload),
            # The result comes back through the XCom sidecar; the log (stderr) is
            # streamed into this task's log as the pod runs.
            "do_xcom_push": True,
            "get_logs": True,
            **self.pod_kwargs,
        }
        resources = pod_resources(self.spec.get("resources"))
        if resources is not None:
            from kubernetes.client import models as k8s

            kwargs["container_resources"] = k8s.V1ResourceRequirements(**resources)
        self._pod = KubernetesPodOperator(**kwargs)
        returned = self._pod.execute(context)
        return parse_exec_output(returned if isinstance(returned, str) else json.dumps(returned))

    def on_kill(self) -> None:
        if self._process is not None:
            kill_group(self._process)
        if self._pod is not None:
            # Deletes the pod, as Airflow does for its own KubernetesPodOperator tasks.
            self._pod.on_kill()


class UpdraftConditionOperator(ShortCircuitOperator):
    """An Updraft ``condition`` task: compares ``left`` and ``right`` with ``op``.
    False skips the direct downstream tasks; further skips follow their trigger rules
    (``ignore_downstream_trigger_rules=False``), as on the embedded engine. The result
    is pushed to XCom as output ``result``."""

    template_fields = (*ShortCircuitOperator.template_fields, "refs")

    def __init__(
        self,
        *,
        workflow: str,
        spec: Dict[str, Any],
        refs: Optional[Dict[str, str]] = None,
        connections: Optional[Sequence[str]] = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("ignore_downstream_trigger_rules", False)
        super().__init__(python_callable=self._evaluate, **kwargs)
        self.workflow = workflow
        self.spec = spec
        self.refs = refs or {}
        self.connections: List[str] = list(
            connections if connections is not None else spec.get("connections") or []
        )

    def _evaluate(self, **context: Any) -> bool:
        # Nothing runs, but a missing connection fails the task as it does on the engine.
        _grant(self.task_id, self.connections, None)
        values = _context_values(context, self.workflow, self.refs)
        left = resolve_value(self.spec.get("left"), values)
        right = resolve_value(self.spec.get("right"), values)
        result = compare_values(left, str(self.spec.get("op")), right)
        self.log.info("condition %r %s %r is %s", left, self.spec.get("op"), right, result)
        context["ti"].xcom_push(key="result", value=result)
        return result
