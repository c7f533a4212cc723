"""The JSON Schema of scenario documents (docs/scenario-format.md), shipped in the package."""
from __future__ import annotations

import json
import pathlib
from typing import Any

__all__ = ["scenario_schema"]


def scenario_schema() -> dict[str, Any]:
    """The scenario format as a JSON Schema (draft 2020-12) dict: give it to
    ``jsonschema.Draft202012Validator`` or an editor. The loader (``apmsim.validate``)
    checks more than a schema can express: names, sums, matrices, combinations."""
    path = pathlib.Path(__file__).with_name("scenario.schema.json")
    return json.loads(path.read_text(encoding="utf-8"))
