"""Specs the benchmarks generate (one model, constants varied), written beside the models'
repository under bench/.generated/ so that they load like any user's spec."""

from __future__ import annotations

import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def write_spec(name: str, model: str, consts: dict, body: str) -> str:
    """A spec file for models/<model>.model with these constants; returns its path."""
    folder = os.path.join(HERE, ".generated")
    os.makedirs(folder, exist_ok=True)
    lines = [f"spec {name}", f'model "../../models/{model}.model"']
    lines += [f"const {k} = {str(v).lower() if isinstance(v, bool) else v}"
              for k, v in consts.items()]
    lines.append(body)
    path = os.path.join(folder, f"{name}.spec")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return path


def fresh_process(script: str, *fields: object) -> dict:
    """Run `script --one f1,f2,...` in a new Python process (so its peak memory is its own)
    and return the JSON object it prints."""
    p = subprocess.run([sys.executable, script, "--one", ",".join(str(f) for f in fields)],
                       capture_output=True, text=True, check=True)
    return json.loads(p.stdout)
