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
