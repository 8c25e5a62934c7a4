"""The shared implementation of the Airflow stand-ins (see README.md)."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional

_CURRENT: List["DAG"] = []


class DAG:
    """Records its arguments and the operators created inside ``with DAG(...)``."""

    def __init__(self, dag_id: str, **kwargs: Any) -> None:
        self.dag_id = dag_id
        self.kwargs = kwargs
        self.tasks: Dict[str, "BaseOperator"] = {}
        self.fileloc: Optional[str] = None

    def __enter__(self) -> "DAG":
        _CURRENT.append(self)
        return self

    def __exit__(self, *exc: Any) -> None:
        _CURRENT.pop()


class Param:
    """Records a param's default and JSON-Schema keywords."""

    def __init__(self, default: Any = None, **schema: Any) -> None:
        self.value = default
        self.schema = schema


class BaseOperator:
    """Keeps its keyword arguments, joins the current DAG, records ``>>`` edges."""

    template_fields: tuple = ()

    def __init__(self, *, task_id: str, **kwargs: Any) -> None:
        self.task_id = task_id
        self.kwargs = kwargs
        self.downstream: List[str] = []
        self.dag = _CURRENT[-1] if _CURRENT else None
        self.log = logging.getLogger(f"airflow.task.{task_id}")
        if self.dag is not None:
            if task_id in self.dag.tasks:
                raise ValueError(f"duplicate task_id {task_id}")
            self.dag.tasks[task_id] = self

    def __rshift__(self, other: Any) -> Any:
        for o in other if isinstance(other, list) else [other]:
            self.downstream.append(o.task_id)
        return other

    def __rrshift__(self, other: Any) -> "BaseOperator":
        for o in other if isinstance(other, list) else [other]:
            o.downstream.append(self.task_id)
        return self


class ShortCircuitOperator(BaseOperator):
    """Calls ``python_callable`` with the context and returns its result."""

    template_fields = ("op_args", "op_kwargs", "templates_dict")

    def __init__(self, *, python_callable: Any, ignore_downstream_trigger_rules: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.python_callable = python_callable
        self.ignore_downstream_trigger_rules = ignore_downstream_trigger_rules

    def execute(self, context: Dict[str, Any]) -> Any:
        return self.python_callable(**context)


class KubernetesPodOperator(BaseOperator):
    """Records its arguments; ``execute`` returns what the test queued as the pod's
    XCom result (what the real operator reads from the sidecar)."""

    created: List["KubernetesPodOperator"] = []
    next_result: Any = None

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.killed = False
        KubernetesPodOperator.created.append(self)

    def execute(self, context: Dict[str, Any]) -> Any:
        return KubernetesPodOperator.next_result

    def on_kill(self) -> None:
        self.killed = True


class AirflowNotFoundException(Exception):
    """What ``BaseHook.get_connection`` raises for an unknown conn_id."""


class AirflowFailException(Exception):
    """Fails a task without retries."""


class Connection:
    """The attributes of an Airflow connection the operators read."""

    def __init__(self, conn_type=None, host=None, port=None, schema=None, login=None, password=None, extra=None):
        self.conn_type = conn_type
        self.host = host
        self.port = port
        self.schema = schema
        self.login = login
        self.password = password
        self.extra_dejson = dict(extra or {})


class BaseHook:
    """``get_connection`` reads ``connections`` (filled by the test); ``failure``, when set,
    is raised instead (a metadata database that cannot be reached)."""

    connections: Dict[str, Connection] = {}
    failure: Optional[Exception] = None

    @classmethod
    def get_connection(cls, conn_id: str) -> Connection:
        if cls.failure is not None:
            raise cls.failure
        if conn_id not in cls.connections:
            raise AirflowNotFoundException(f"The conn_id `{conn_id}` isn't defined")
        return cls.connections[conn_id]


#: Every value handed to ``mask_secret``.
MASKED: List[Any] = []


def mask_secret(secret: Any, name: Optional[str] = None) -> None:
    MASKED.append(secret)


def should_hide_value_for_key(name: str) -> bool:
    """Airflow 2's rule with ``[core] sensitive_var_conn_names = dsn`` configured."""
    lowered = name.strip().lower()
    return any(w in lowered for w in ("password", "secret", "token", "api_key", "dsn"))
