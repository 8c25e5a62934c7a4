from airflow_stub_core import AirflowFailException, AirflowNotFoundException  # noqa: F401
