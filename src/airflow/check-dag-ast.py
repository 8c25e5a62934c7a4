"""Checks generated Airflow DAG files with Python's own parser: only the constructs the
exporter emits may appear, so no workflow value has turned into code.

Usage: python3 check-dag-ast.py FILE...   (exit 0 when every file passes; problems on stdout)
"""

import ast
import re
import sys

ALLOWED_NODES = (
    ast.Module, ast.ImportFrom, ast.Import, ast.alias, ast.Try, ast.ExceptHandler,
    ast.With, ast.withitem, ast.Assign, ast.Expr, ast.Call, ast.keyword, ast.Constant,
    ast.Dict, ast.List, ast.Name, ast.Attribute, ast.Load, ast.Store, ast.BinOp,
    ast.RShift, ast.UnaryOp, ast.USub, ast.Pass,
)
ALLOWED_IMPORTS = {
    ("__future__", "annotations"),
    ("airflow.sdk", "DAG"),
    ("airflow.sdk", "Param"),
    ("airflow.models.dag", "DAG"),
    ("airflow.models.param", "Param"),
    ("updraft_airflow", "UpdraftTaskOperator"),
    ("updraft_airflow", "UpdraftConditionOperator"),
}
ALLOWED_MODULES = {"datetime", "pendulum"}
CALLABLES = {
    "DAG", "Param", "pendulum.datetime", "datetime.timedelta", "float",
    "UpdraftTaskOperator", "UpdraftConditionOperator",
}
FIXED_NAMES = {"DAG", "Param", "pendulum", "datetime", "dag", "float", "ImportError",
               "UpdraftTaskOperator", "UpdraftConditionOperator"}
TASK_VARIABLE = re.compile(r"^t_[A-Za-z0-9_]*$")
FLOAT_ARGS = {"nan", "inf"}


def dotted(node):
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return None if base is None else f"{base}.{node.attr}"
    return None


def check(path):
    with open(path, encoding="utf-8") as f:
        source = f.read()
    problems = []
    try:
        tree = ast.parse(source, filename=path)
    except SyntaxError as err:
        return [f"{path}: syntax error: {err}"]
    for node in ast.walk(tree):
        where = f"{path}:{getattr(node, 'lineno', '?')}"
        if not isinstance(node, ALLOWED_NODES):
            problems.append(f"{where}: unexpected {type(node).__name__}")
        elif isinstance(node, ast.ImportFrom):
            for a in node.names:
                if (node.module, a.name) not in ALLOWED_IMPORTS or a.asname is not None:
                    problems.append(f"{where}: unexpected import {node.module}.{a.name}")
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name not in ALLOWED_MODULES or a.asname is not None:
                    problems.append(f"{where}: unexpected import {a.name}")
        elif isinstance(node, ast.Name):
            if node.id not in FIXED_NAMES and not TASK_VARIABLE.match(node.id):
                problems.append(f"{where}: unexpected name {node.id}")
        elif isinstance(node, ast.Attribute):
            if dotted(node) not in ("pendulum.datetime", "datetime.timedelta"):
                problems.append(f"{where}: unexpected attribute {dotted(node)}")
        elif isinstance(node, ast.Call):
            name = dotted(node.func)
            if name not in CALLABLES:
                problems.append(f"{where}: unexpected call of {name}")
            elif name == "float" and not (
                len(node.args) == 1
                and isinstance(node.args[0], ast.Constant)
                and node.args[0].value in FLOAT_ARGS
            ):
                problems.append(f"{where}: unexpected float() argument")
        elif isinstance(node, ast.BinOp) and not isinstance(node.op, ast.RShift):
            problems.append(f"{where}: unexpected operator {type(node.op).__name__}")
        elif isinstance(node, ast.ExceptHandler):
            if dotted(node.type) != "ImportError" or node.name is not None:
                problems.append(f"{where}: unexpected except clause")
        elif isinstance(node, ast.Constant) and not isinstance(
            node.value, (str, int, float, bool, type(None))
        ):
            problems.append(f"{where}: unexpected constant {node.value!r}")
        elif isinstance(node, ast.Expr) and not isinstance(node.value, ast.BinOp):
            problems.append(f"{where}: unexpected expression statement")
    # Assignments may only bind task variables, each once.
    seen = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if not (isinstance(target, ast.Name) and TASK_VARIABLE.match(target.id)):
                    problems.append(f"{path}:{node.lineno}: unexpected assignment target")
                elif target.id in seen:
                    problems.append(f"{path}:{node.lineno}: {target.id} assigned twice")
                else:
                    seen.add(target.id)
    return problems


def main(paths):
    problems = [p for path in paths for p in check(path)]
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
