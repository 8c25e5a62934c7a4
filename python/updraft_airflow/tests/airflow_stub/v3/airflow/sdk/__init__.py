from airflow_stub_core import DAG, BaseHook, BaseOperator, Param  # noqa: F401
