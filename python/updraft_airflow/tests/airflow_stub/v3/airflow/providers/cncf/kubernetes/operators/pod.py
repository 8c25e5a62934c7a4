from airflow_stub_core import KubernetesPodOperator  # noqa: F401
