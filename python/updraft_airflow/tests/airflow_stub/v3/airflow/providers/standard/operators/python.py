from airflow_stub_core import ShortCircuitOperator  # noqa: F401
