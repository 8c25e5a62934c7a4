from airflow_stub_core import mask_secret, should_hide_value_for_key  # noqa: F401
