from airflow_stub_core import DAG  # noqa: F401
