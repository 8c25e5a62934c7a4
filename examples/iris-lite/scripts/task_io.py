"""The Updraft task contract in a few lines: read params, publish outputs, find a work dir."""
import json
import os


def params():
    """The task's resolved params (the JSON file at $UPDRAFT_PARAMS)."""
    with open(os.environ["UPDRAFT_PARAMS"], encoding="utf-8") as f:
        return json.load(f)


def publish(**values):
    """Publishes outputs as one JSON line in $UPDRAFT_OUTPUTS (types are kept)."""
    with open(os.environ["UPDRAFT_OUTPUTS"], "a", encoding="utf-8") as f:
        f.write(json.dumps(values) + "\n")


def workdir():
    """This attempt's private directory: files written here outlive the process."""
    return os.path.dirname(os.path.abspath(os.environ["UPDRAFT_OUTPUTS"]))
