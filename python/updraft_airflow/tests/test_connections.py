"""Airflow connections as the engine's UPDRAFT_CONN_* variables (no Airflow needed)."""
import json

import pytest

from updraft_airflow.connections import (
    MAX_VALUE_BYTES,
    ConnectionGrantError,
    connection_fields,
    field_name,
    grant_connections,
    task_env,
)
from updraft_airflow.task_exec import TaskExecError

PASSWORD = "correct-horse-battery"


class Conn:
    """The attributes of an Airflow Connection the grant reads."""

    def __init__(self, conn_type="postgres", host=None, port=None, schema=None, login=None, password=None, extra=None):
        self.conn_type = conn_type
        self.host = host
        self.port = port
        self.schema = schema
        self.login = login
        self.password = password
        self.extra_dejson = extra if extra is not None else {}


class NotFound(Exception):
    pass


class AirflowNotFoundException(NotFound):  # the name is what the grant recognizes
    pass


def store(**conns):
    def get(conn_id):
        if conn_id not in conns:
            raise AirflowNotFoundException(f"The conn_id `{conn_id}` isn't defined")
        return conns[conn_id]

    return get


WAREHOUSE = Conn(
    host="db.internal", port=5432, schema="analytics", login="etl", password=PASSWORD,
    extra={"sslmode": "require", "api_token": "tok-1234567890", "options": {"a": [1, True]}},
)


def test_fields_and_variables_follow_the_engine_naming():
    grant = grant_connections(["warehouse"], store(warehouse=WAREHOUSE))
    assert grant.env == {
        "UPDRAFT_CONN_WAREHOUSE": json.dumps(
            {
                "name": "warehouse", "type": "postgres", "host": "db.internal", "port": "5432",
                "schema": "analytics", "login": "etl", "password": PASSWORD, "sslmode": "require",
                "api_token": "tok-1234567890", "options": '{"a":[1,true]}',
                "secretFields": ["password", "api_token"],
            },
            separators=(",", ":"),
        ),
        "UPDRAFT_CONN_WAREHOUSE_HOST": "db.internal",
        "UPDRAFT_CONN_WAREHOUSE_PORT": "5432",
        "UPDRAFT_CONN_WAREHOUSE_SCHEMA": "analytics",
        "UPDRAFT_CONN_WAREHOUSE_LOGIN": "etl",
        "UPDRAFT_CONN_WAREHOUSE_PASSWORD": PASSWORD,
        "UPDRAFT_CONN_WAREHOUSE_SSLMODE": "require",
        "UPDRAFT_CONN_WAREHOUSE_API_TOKEN": "tok-1234567890",
        "UPDRAFT_CONN_WAREHOUSE_OPTIONS": '{"a":[1,true]}',
    }
    assert grant.secrets == [PASSWORD, "tok-1234567890"]


def test_fields_without_a_value_are_left_out_and_the_type_defaults_to_generic():
    content, hidden = connection_fields("api", Conn(conn_type=None, host="h", login="", extra={"x": None}))
    assert content == {"name": "api", "type": "generic", "host": "h", "secretFields": []}
    assert hidden == []


def test_extra_keys_become_field_names():
    assert field_name("aws-region") == "aws_region"
    assert field_name("regionName") == "regionname"
    assert field_name("extra__google_cloud_platform__project") == "extra__google_cloud_platform__project"
    content, _ = connection_fields("c", Conn(extra={"Region-Name": "eu", "n": 3, "flag": False}))
    assert content["region_name"] == "eu" and content["n"] == "3" and content["flag"] == "false"


def test_a_caller_supplied_sensitivity_rule_is_used():
    conn = Conn(extra={"dsn": "postgres://u:p@h/db", "token": "tok-1234567890"})
    content, hidden = connection_fields("c", conn, lambda key: key == "dsn")
    assert content["secretFields"] == ["dsn"]
    assert hidden == ["postgres://u:p@h/db"]


def test_a_short_sensitive_extra_is_masked_by_airflow_only():
    content, hidden = connection_fields("c", Conn(extra={"secret_name": "db"}))
    assert content["secretFields"] == []
    assert hidden == ["db"]


@pytest.mark.parametrize(
    "conn,why",
    [
        (Conn(password="airflow"), r"its password is shorter than 8 characters"),
        (Conn(extra={"1abc": "x"}), r"its extra key '1abc' cannot become a field name"),
        (Conn(extra={"name": "x"}), r"its extra key 'name' cannot become a field name"),
        (Conn(extra={"_x": "x"}), r"its extra key '_x' cannot become a field name"),
        (Conn(host="h", extra={"HOST": "x"}), r"its extra key 'HOST' and 'host' both become field 'host'"),
        (Conn(extra={"a-b": "1", "a_b": "2"}), r"its extra key 'a_b' and 'a-b' both become field 'a_b'"),
        (Conn(host="a\x00b"), r"field 'host' contains a NUL character"),
        (Conn(host="\ud800"), r"field 'host' is not valid text"),
        (Conn(extra={"big": "x" * (MAX_VALUE_BYTES + 1)}), r"field 'big' is longer than 65536 bytes"),
        (Conn(extra=["not", "an", "object"]), r"its extra is not a JSON object"),
        (Conn(conn_type="HTTP"), r"its type 'HTTP' is not a connection type"),
        (Conn(conn_type="x" * 33), r"its type 'x+' is not a connection type"),
        (Conn(extra={f"k{i}": "v" for i in range(65)}), r"it has 65 fields, more than the 64"),
    ],
)
def test_connections_the_engine_would_refuse_are_refused(conn, why):
    with pytest.raises(ConnectionGrantError, match=r"Airflow connection 'c' cannot be granted: " + why):
        grant_connections(["c"], store(c=conn))


def test_an_unknown_connection_is_configuration_and_a_store_failure_is_not():
    with pytest.raises(ConnectionGrantError, match=r"there is no Airflow connection 'lake'; create it"):
        grant_connections(["warehouse", "lake"], store(warehouse=WAREHOUSE))

    def broken(_conn_id):
        raise OSError("could not connect to the metadata database")

    with pytest.raises(TaskExecError, match="cannot read Airflow connection 'warehouse': could not connect") as info:
        grant_connections(["warehouse"], broken)
    assert not isinstance(info.value, ConnectionGrantError)


@pytest.mark.parametrize("name", ["Warehouse", "ware-house", "", "x" * 64, 7])
def test_invalid_connection_names_are_refused(name):
    with pytest.raises(ConnectionGrantError, match="is not valid"):
        grant_connections([name], store())


def test_two_connections_giving_the_same_variable_are_refused():
    get = store(a=Conn(extra={"b_c": "1"}), a_b=Conn(extra={"c": "2"}))
    with pytest.raises(ConnectionGrantError, match=r"Connections clash: .* UPDRAFT_CONN_A_B_C"):
        grant_connections(["a", "a_b"], get)


def test_a_connection_too_large_for_one_variable_is_refused():
    extra = {f"k{i}": "x" * 60_000 for i in range(3)}
    with pytest.raises(ConnectionGrantError, match="too large for an environment variable"):
        grant_connections(["c"], store(c=Conn(extra=extra)))


def test_the_task_env_drops_inherited_connection_variables():
    grant = grant_connections(["warehouse"], store(warehouse=WAREHOUSE))
    env = task_env({"PATH": "/bin", "UPDRAFT_CONN_OTHER": "{}", "UPDRAFT_CONN_OTHER_X": "1"}, grant)
    assert env["PATH"] == "/bin"
    assert "UPDRAFT_CONN_OTHER" not in env and "UPDRAFT_CONN_OTHER_X" not in env
    assert env["UPDRAFT_CONN_WAREHOUSE_PASSWORD"] == PASSWORD
