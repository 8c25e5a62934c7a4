"""The `refs` templates the exporter generates, rendered the way Airflow renders them
under render_template_as_native_obj=True (jinja2's NativeEnvironment), decode to the
exact upstream values: no literal_eval coercion of "123", "None" or "[1]"."""
import pytest

from updraft_airflow.task_exec import decode_ref

nativetypes = pytest.importorskip("jinja2.nativetypes")

# Byte-for-byte what src/airflow/xcom-refs.ts generates.
TEMPLATE = "json:{{ ti.xcom_pull(task_ids='prep', key='out') | tojson }}"


class FakeTi:
    def __init__(self, value):
        self.value = value

    def xcom_pull(self, task_ids, key):
        assert (task_ids, key) == ("prep", "out")
        return self.value


@pytest.mark.parametrize(
    "value",
    ["123", "None", "[1, 2]", "it's <b>&</b> \"quoted\"", "{{ x }}", "\u2028\x00", 0.5, 7, None,
     True, [1, "a", None], {"k": {"n": [1.5]}}],
)
def test_rendered_refs_round_trip(value):
    env = nativetypes.NativeEnvironment()
    rendered = env.from_string(TEMPLATE).render(ti=FakeTi(value))
    assert decode_ref("tasks.prep.outputs.out", rendered) == value
