from airflow_stub_core import Param  # noqa: F401
