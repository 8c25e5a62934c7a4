"""Stand-in for the one pendulum call generated DAG files make (Airflow ships
pendulum; it is not installed here)."""

import datetime as _dt
from zoneinfo import ZoneInfo


def datetime(year: int, month: int, day: int, tz: str = "UTC") -> _dt.datetime:
    """A timezone-aware datetime, as ``pendulum.datetime`` returns."""
    return _dt.datetime(year, month, day, tzinfo=ZoneInfo(tz))
