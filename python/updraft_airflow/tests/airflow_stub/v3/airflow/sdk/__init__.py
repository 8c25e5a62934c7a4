from airflow_stub_core import DAG, BaseOperator, Param  # noqa: F401
