from airflow_stub_core import BaseOperator  # noqa: F401
