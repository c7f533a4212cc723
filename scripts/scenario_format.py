#!/usr/bin/python3
"""Writes docs/scenario-format.md from schema/scenario.schema.json.

    scripts/scenario_format.py          write the document (a temporary file, then a rename)
    scripts/scenario_format.py --check  exit 1 when the document differs from what it would write

Every $def of the schema is placed in exactly one section; a $def left out is an error,
so the document cannot silently miss a part of the format.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "schema" / "scenario.schema.json"
DOC = ROOT / "docs" / "scenario-format.md"

INTRO = """\
# Scenario format

<!-- Generated from schema/scenario.schema.json by scripts/scenario_format.py: edit those, not this file. -->

A **scenario** is one JSON document that holds a whole study: the model that is simulated
(population, cost model, intervention), who delivers the care (delivery), the payment
models settled side by side on the same simulated costs, who pays the payer's cost (the
state and the federal match, optional), and default settings.

- **Get one**: `apmsim default-scenario --out my.json` writes the bundled default CMC
  program (`--members N`, `--years Y`); `examples/scenarios/` has more.
- **Check it**: `apmsim validate my.json` reports every problem at once, each with its JSON
  path, what was expected and what was found (exit 2 on problems), and warnings about legal
  but implausible terms; `apmsim.validate(path_or_dict)` does the same in Python.
- **Run it**: `apmsim run my.json`; in Python `apmsim.run(apmsim.Scenario.load("my.json"))`.
- **Schema**: `schema/scenario.schema.json` (JSON Schema draft 2020-12, `$id`
  `https://apmsim.org/schema/scenario.schema.json`); point an editor at it for completion
  and checks as you type. The loader checks more than a schema can: names against the
  tiers and categories, shares and weights that must sum to 1, matrices, years against the
  horizon, and how the components of a payment model fit together.

Unknown keys are errors everywhere (a typo is never ignored); a key renamed in version 0.2
is an error that names the new one. In the tables, *default* is the value the loader uses
when the key is absent (**required**: the key must be given); *allowed* is the range the
loader accepts ([a, b] closed, (a, b) open); *unit* is what the number measures.
"""

SECTIONS = [
    ("Top level", ["#"]),
    ("Population", ["population", "population_generate", "population_members", "churn"]),
    ("Cost model", ["cost_model", "trend", "cell", "copula", "names"]),
    ("Distributions", ["frequency", "poisson", "negative_binomial", "binomial", "zero_modified_poisson",
                       "severity", "lognormal", "gamma", "weibull", "pareto", "spliced_lognormal_pareto"]),
    ("Intervention", ["intervention", "effect", "effect_by_tier", "staffing_cost"]),
    ("Settings", ["settings"]),
    ("Delivery", ["delivery", "share_values", "ratio_values", "pmpm_values"]),
    ("Payment models", ["payment_model", "component", "component_years", "category_list", "quality", "quality_measure",
                        "benchmark", "minimum_rate", "minimum_rate_fixed", "minimum_rate_mssp_table",
                        "minimum_rate_confidence_interval", "corridor_bands", "corridor_band", "schedule_point", "rate_trend"]),
    ("Federal match", ["federal_match", "health_home_match"]),
]


def component_types(schema: dict) -> list[str]:
    """The component types, in the order of the schema's dispatcher."""
    return [rule["if"]["properties"]["type"]["const"] for rule in schema["$defs"]["component"]["allOf"]]


def sections(schema: dict) -> list[tuple[str, list[str]]]:
    out = SECTIONS + [("Component: " + t, [t]) for t in component_types(schema)]
    placed = [name for _, names in out for name in names]
    missing = sorted(set(schema["$defs"]) - set(placed))
    if missing or len(placed) != len(set(placed)):
        raise SystemExit(f"scenario_format.py: $defs not placed exactly once in SECTIONS: {missing or placed}")
    return out


def fmt(v) -> str:
    return json.dumps(v) if not isinstance(v, float) or v != int(v) or abs(v) >= 1e16 else str(int(v))


def ref_def(schema: dict, s: dict):
    return schema["$defs"][s["$ref"].rsplit("/", 1)[1]] if "$ref" in s else None


def type_text(schema: dict, s: dict) -> str:
    target = ref_def(schema, s)
    if target is not None:
        return f"[{target['title']}](#{s['$ref'].rsplit('/', 1)[1]})"
    if "const" in s:
        return f"`{fmt(s['const'])}`"
    if "enum" in s:
        return "string"
    branches = s.get("anyOf") or s.get("oneOf")
    if branches:
        return " or ".join(type_text(schema, b) for b in branches)
    t = s.get("type", "any")
    if t == "array":
        item = type_text(schema, s.get("items", {}))
        return "array of " + (f"({item})" if " or " in item else item)
    if t == "object" and isinstance(s.get("additionalProperties"), dict):
        return "{" + s.get("x-keys", "name") + ": " + type_text(schema, s["additionalProperties"]) + "}"
    return t


def interval(s: dict) -> str:
    lo, hi = ("minimum", "["), ("maximum", "]")
    if "exclusiveMinimum" in s:
        lo = ("exclusiveMinimum", "(")
    if "exclusiveMaximum" in s:
        hi = ("exclusiveMaximum", ")")
    a, b = s.get(lo[0]), s.get(hi[0])
    if a is not None and b is not None:
        return f"{lo[1]}{fmt(a)}, {fmt(b)}{hi[1]}"
    if a is not None:
        return (">= " if lo[1] == "[" else "> ") + fmt(a)
    if b is not None:
        return ("<= " if hi[1] == "]" else "< ") + fmt(b)
    return ""


def allowed_parts(schema: dict, s: dict) -> list[str]:
    """The constraints of `s`, its alternatives, items and values, and of a $ref that is not an object."""
    parts = [interval(s)]
    if "enum" in s:
        parts.append("one of " + ", ".join(f"`{fmt(v)}`" for v in s["enum"]))
    target = ref_def(schema, s)
    subs = [target] if target is not None and "properties" not in target else []
    subs += s.get("anyOf") or s.get("oneOf") or []
    subs += [s[k] for k in ("items", "additionalProperties") if isinstance(s.get(k), dict)]
    for sub in subs:
        parts += allowed_parts(schema, sub)
    return parts + [item_count(s), s.get("x-allowed", "")]


def allowed_text(schema: dict, s: dict) -> str:
    return "; ".join(dict.fromkeys(p for p in allowed_parts(schema, s) if p))


def item_count(s: dict) -> str:
    lo, hi = s.get("minItems"), s.get("maxItems")
    if lo is None and hi is None:
        return ""
    if lo == hi:
        return f"{lo} items"
    return f"{lo or 0} to {hi} items" if hi is not None else f"at least {lo} item" + ("s" if lo > 1 else "")


def cell(text: str) -> str:
    return text.replace("|", "\\|") or "-"


def default_text(s: dict, required: bool) -> str:
    if required:
        return "**required**"
    if "x-default" in s:
        return s["x-default"]
    return f"`{fmt(s['default'])}`" if "default" in s else "-"


def table(schema: dict, obj: dict) -> list[str]:
    rows = ["| key | type | unit | default | allowed | meaning |", "|---|---|---|---|---|---|"]
    required = set(obj.get("required", []))
    for key, s in obj["properties"].items():
        target = ref_def(schema, s) or {}
        meaning, unit = s.get("description") or target.get("description", ""), s.get("x-unit") or target.get("x-unit", "")
        rows.append("| " + " | ".join(cell(x) for x in (
            f"`{key}`", type_text(schema, s), unit, default_text(s, key in required),
            allowed_text(schema, s), meaning)) + " |")
    return rows


def compact(v, indent: int = 0, width: int = 100) -> str:
    """JSON with a subtree on one line when it fits in `width`."""
    flat = json.dumps(v)
    if len(flat) + indent <= width or not isinstance(v, (dict, list)) or not v:
        return flat
    pad = " " * (indent + 2)
    if isinstance(v, dict):
        inner = [f"{pad}{json.dumps(k)}: {compact(x, indent + 2, width)}" for k, x in v.items()]
        return "{\n" + ",\n".join(inner) + "\n" + " " * indent + "}"
    return "[\n" + ",\n".join(pad + compact(x, indent + 2, width) for x in v) + "\n" + " " * indent + "]"


def example_block(example) -> list[str]:
    return ["```json", *compact(example).splitlines(), "```"]


def render_def(schema: dict, name: str, heading: bool) -> list[str]:
    """A part's heading (when its section has several), anchor, description, table and examples."""
    s = schema if name == "#" else schema["$defs"][name]
    out = [f"### {s['title']}", ""] if heading else []
    out += [s["description"] if name == "#" else f'<a id="{name}"></a>{s["description"]}', ""]
    if "properties" in s and name not in ("frequency", "severity", "component"):
        out += table(schema, s) + [""]
    elif "allOf" in s:
        types = [r["if"]["properties"]["type"]["const"] for r in s["allOf"]]
        out += ["`type` is one of: " + ", ".join(f"`{t}`" for t in types) + ".", ""]
    else:
        out += [f"Type: {type_text(schema, {k: v for k, v in s.items() if k != 'title'})}. "
                f"Allowed: {allowed_text(schema, s) or 'any'}. Unit: {s.get('x-unit', '-')}.", ""]
    for example in s.get("examples", []):
        out += example_block(example) + [""]
    return out


def render(schema: dict) -> str:
    lines = [INTRO]
    for title, names in sections(schema):
        lines += [f"## {title}", ""]
        for name in names:
            lines += render_def(schema, name, len(names) > 1)
    return "\n".join(lines).rstrip("\n") + "\n"


def write_atomically(path: pathlib.Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the document is not current")
    args = parser.parse_args(argv)
    text = render(json.loads(SCHEMA.read_text(encoding="utf-8")))
    if args.check:
        current = DOC.read_text(encoding="utf-8") if DOC.is_file() else ""
        if current != text:
            print(f"{DOC.relative_to(ROOT)} is not current: run scripts/scenario_format.py", file=sys.stderr)
            return 1
        return 0
    write_atomically(DOC, text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
