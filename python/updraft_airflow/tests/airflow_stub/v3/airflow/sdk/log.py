# Airflow 3.1+: mask_secret here, should_hide_value_for_key not exported.
from airflow_stub_core import mask_secret  # noqa: F401
