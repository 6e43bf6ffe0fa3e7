"""Prints, for each YAML file named on the command line, what PyYAML's
safe_load builds, as JSON with type tags (the reference for diff_test.go).

Output: one JSON object mapping each path to {"value": tagged} or
{"error": message}."""
import datetime
import json
import sys

import yaml


def tag(v):
    if isinstance(v, bool):
        return {"bool": v}
    if v is None:
        return {"null": None}
    if isinstance(v, int):
        return {"int": str(v)}
    if isinstance(v, float):
        if v != v:
            return {"float": "nan"}
        if v in (float("inf"), float("-inf")):
            return {"float": "inf" if v > 0 else "-inf"}
        return {"float": v.hex()}
    if isinstance(v, str):
        return {"str": v}
    if isinstance(v, (datetime.date, datetime.datetime)):
        return {"timestamp": True}
    if isinstance(v, bytes):
        return {"binary": True}
    if isinstance(v, dict):
        return {"map": [[tag(k), tag(x)] for k, x in v.items()]}
    if isinstance(v, (list, tuple)):
        return {"seq": [tag(x) for x in v]}
    if isinstance(v, set):
        return {"set": True}
    return {"other": type(v).__name__}


out = {}
for path in sys.argv[1:]:
    try:
        with open(path, "rb") as f:
            data = f.read()
        out[path] = {"value": tag(yaml.safe_load(data))}
    except Exception as e:  # any load failure is the answer
        out[path] = {"error": f"{type(e).__name__}: {e}"[:300]}
json.dump(out, sys.stdout)
