"""A workflow task's ``connections`` on Airflow, without Airflow: each Airflow connection
the task names becomes the environment variables the embedded engine gives it
(src/secrets/connection-env.ts), so the same task code runs on both engines.

For an Airflow connection ``warehouse`` the fields are ``host``, ``port``, ``schema``,
``login`` and ``password`` (those that have a value) and every key of its extra JSON;
the type is its ``conn_type``. Each field becomes ``UPDRAFT_CONN_WAREHOUSE_<FIELD>`` and
the whole connection ``UPDRAFT_CONN_WAREHOUSE``, JSON ``{"name", "type", fields...,
"secretFields": [...]}``; ``updraft task exec`` masks the listed secrets and hands the
task the engine's JSON (without ``secretFields``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, List, Mapping, Sequence, Tuple

from .task_exec import TaskExecError

#: Prefix of every connection variable (src/secrets/connection-env.ts).
CONNECTION_ENV_PREFIX = "UPDRAFT_CONN_"
#: Airflow's own connection fields, in the order they become Updraft fields.
STANDARD_FIELDS = ("host", "port", "schema", "login", "password")
#: Shorter secrets cannot be masked without blanking ordinary text (src/secrets/secret-variants.ts).
MIN_SECRET_LENGTH = 8
#: Largest field value, as the engine's connections allow (src/secrets/connection.ts).
MAX_VALUE_BYTES = 64 * 1024
#: Linux refuses a single ``NAME=value`` of 128 KiB or more (MAX_ARG_STRLEN).
MAX_VARIABLE_BYTES = 128 * 1024 - 1
#: Airflow's default sensitive key words (``[core] sensitive_var_conn_names`` adds more),
#: used when Airflow's own ``should_hide_value_for_key`` cannot be imported.
SENSITIVE_WORDS = frozenset(
    {
        "access_token", "api_key", "apikey", "authorization", "passphrase", "passwd",
        "password", "private_key", "secret", "token", "keyfile_dict", "service_account",
    }
)
#: Most fields one connection may have (src/secrets/connection.ts).
MAX_FIELDS = 64
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_TYPE = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
_RESERVED = ("name", "type")


class ConnectionGrantError(TaskExecError):
    """A connection cannot be granted: configuration (a missing or unusable connection)
    that retrying does not fix, so the operator fails the task without retries."""


@dataclass(frozen=True)
class ConnectionGrant:
    """What the task process receives, and the values to register with Airflow's masker."""

    env: Dict[str, str]
    #: Every value treated as secret (the password, sensitive extras), for ``mask_secret``.
    secrets: List[str]


def default_is_sensitive(key: str) -> bool:
    """Airflow's default rule: a key naming one of :data:`SENSITIVE_WORDS` hides its value."""
    lowered = key.strip().lower()
    return any(word in lowered for word in SENSITIVE_WORDS)


def field_name(key: str) -> str:
    """An extra key as an Updraft field name: lower-cased, every character outside
    ``[a-z0-9_]`` replaced by ``_`` (``regionName`` -> ``regionname``, ``aws-region`` ->
    ``aws_region``)."""
    return "".join(c if ("a" <= c <= "z" or "0" <= c <= "9" or c == "_") else "_" for c in key.lower())


def _is_not_found(err: BaseException) -> bool:
    # Airflow 2 and 3 raise AirflowNotFoundException from different modules; the name is
    # what both share, and this module must not import Airflow.
    return any(c.__name__ == "AirflowNotFoundException" for c in type(err).__mro__)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def connection_fields(
    name: str, conn: Any, is_sensitive: Callable[[str], bool] = default_is_sensitive
) -> Tuple[Dict[str, Any], List[str]]:
    """The JSON variable's content for one Airflow connection (``name``, ``type``, the
    fields, and ``secretFields``: ``password`` and the sensitive extras long enough to
    mask), and every value Airflow would hide (short sensitive extras too). Raises
    ConnectionGrantError for what the engine would refuse too."""

    def refuse(why: str) -> ConnectionGrantError:
        return ConnectionGrantError(f"Airflow connection {name!r} cannot be granted: {why}")

    fields: Dict[str, str] = {}
    origin: Dict[str, str] = {}
    secret_fields: List[str] = []
    hidden: List[str] = []
    for attr in STANDARD_FIELDS:
        value = getattr(conn, attr, None)
        if value is None or value == "":
            continue
        fields[attr] = str(value)
        origin[attr] = attr
    password = fields.get("password", "")
    if password:
        if len(password) < MIN_SECRET_LENGTH:
            raise refuse(
                f"its password is shorter than {MIN_SECRET_LENGTH} characters, too short to "
                "mask in logs safely; set a longer one"
            )
        secret_fields.append("password")
        hidden.append(password)
    extra = getattr(conn, "extra_dejson", None) or {}
    if not isinstance(extra, Mapping):
        raise refuse("its extra is not a JSON object")
    for key, value in extra.items():
        if value is None:
            continue
        field = field_name(str(key))
        if not _NAME.match(field) or field in _RESERVED:
            raise refuse(
                f"its extra key {key!r} cannot become a field name (lower-case letters, digits "
                "and _, starting with a letter; not name or type); rename the key"
            )
        if field in origin:
            raise refuse(f"its extra key {key!r} and {origin[field]!r} both become field {field!r}")
        origin[field] = str(key)
        text = _text(value)
        fields[field] = text
        # Airflow hides these by name; one too short to mask is left to Airflow's masker.
        if is_sensitive(str(key)) and text:
            hidden.append(text)
            if len(text) >= MIN_SECRET_LENGTH:
                secret_fields.append(field)
    if len(fields) > MAX_FIELDS:
        raise refuse(f"it has {len(fields)} fields, more than the {MAX_FIELDS} a connection may have")
    conn_type = getattr(conn, "conn_type", None) or "generic"
    if not isinstance(conn_type, str) or not _TYPE.match(conn_type):
        raise refuse(
            f"its type {conn_type!r} is not a connection type (1-32 lower-case letters, digits, _ or -, "
            "starting with a letter)"
        )
    for field, text in fields.items():
        if "\x00" in text:
            raise refuse(
                f"field {field!r} contains a NUL character, which an environment variable cannot hold"
            )
        try:
            size = len(text.encode("utf-8"))
        except UnicodeEncodeError:
            raise refuse(f"field {field!r} is not valid text (a lone surrogate)") from None
        if size > MAX_VALUE_BYTES:
            raise refuse(f"field {field!r} is longer than {MAX_VALUE_BYTES} bytes")
    return {"name": name, "type": conn_type, **fields, "secretFields": secret_fields}, hidden


def grant_connections(
    names: Sequence[str],
    get_connection: Callable[[str], Any],
    is_sensitive: Callable[[str], bool] = default_is_sensitive,
) -> ConnectionGrant:
    """The ``UPDRAFT_CONN_*`` variables of the connections ``names``, fetched with
    ``get_connection`` (``BaseHook.get_connection``). An unknown name, or a connection the
    engine would refuse, raises ConnectionGrantError; any other failure of
    ``get_connection`` (the metadata database unreachable) raises TaskExecError, which
    Airflow retries."""
    env: Dict[str, str] = {}
    origin: Dict[str, str] = {}
    secrets: List[str] = []

    def put(variable: str, value: str, source: str) -> None:
        if variable in origin:
            raise ConnectionGrantError(
                f"Connections clash: {origin[variable]} and {source} both become the environment "
                f"variable {variable}; rename one of the connections or fields."
            )
        if len(variable.encode()) + 1 + len(value.encode("utf-8")) > MAX_VARIABLE_BYTES:
            raise ConnectionGrantError(f"{source} is too large for an environment variable ({variable})")
        origin[variable] = source
        env[variable] = value

    for name in names:
        if not isinstance(name, str) or not _NAME.match(name):
            raise ConnectionGrantError(
                f"connection name {name!r} is not valid (lower-case letters, digits and _, "
                "starting with a letter)"
            )
        try:
            conn = get_connection(name)
        except Exception as err:  # noqa: BLE001 - re-raised with the connection's name
            if _is_not_found(err):
                raise ConnectionGrantError(
                    f"there is no Airflow connection {name!r}; create it (airflow connections add "
                    f"{name} ...) or fix the name in the workflow"
                ) from err
            raise TaskExecError(f"cannot read Airflow connection {name!r}: {err}") from err
        content, hidden = connection_fields(name, conn, is_sensitive)
        base = CONNECTION_ENV_PREFIX + name.upper()
        put(base, json.dumps(content, ensure_ascii=False, separators=(",", ":")), f"connection {name}")
        for field, value in content.items():
            if field in ("name", "type", "secretFields"):
                continue
            put(f"{base}_{field.upper()}", value, f"connection {name} field {field}")
        secrets.extend(hidden)
    return ConnectionGrant(env, _unique(secrets))


def task_env(base: Mapping[str, str], grant: ConnectionGrant) -> Dict[str, str]:
    """The ``updraft task exec`` environment: ``base`` (the worker's) without inherited
    ``UPDRAFT_CONN_*`` variables, then the granted ones."""
    env = {k: v for k, v in base.items() if not k.startswith(CONNECTION_ENV_PREFIX)}
    env.update(grant.env)
    return env


def _unique(values: Iterable[str]) -> List[str]:
    seen: Dict[str, None] = {}
    for v in values:
        if v:
            seen.setdefault(v, None)
    return list(seen)
