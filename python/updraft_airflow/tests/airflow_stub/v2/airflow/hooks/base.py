from airflow_stub_core import BaseHook  # noqa: F401
