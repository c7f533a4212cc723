"""Writes apmsim/_components.py and its stubs from the C++ registry of contract
components (include/apmsim/contracts/component.hpp), so a component registered in C++
is a Python class with stubs without a line of Python written for it.

Run by the build after the extension module is linked:
    generate_components.py OUTPUT_DIR   (the folder holding _core*.so)
"""
from __future__ import annotations

import glob
import importlib.machinery
import importlib.util
import json
import os
import sys


def load_core(folder: str):
    paths = glob.glob(os.path.join(folder, "_core*.so")) + glob.glob(os.path.join(folder, "_core*.pyd"))
    if not paths:
        sys.exit(f"generate_components: no _core extension in {folder}")
    loader = importlib.machinery.ExtensionFileLoader("_core", paths[0])
    spec = importlib.util.spec_from_loader("_core", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def write_if_changed(path: str, text: str) -> None:
    if os.path.exists(path) and open(path, encoding="utf-8").read() == text:
        return
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def _allowed(prop: dict) -> str:
    """The range or the values a term takes, from its schema."""
    if "enum" in prop:
        return "one of " + ", ".join(json.dumps(v) for v in prop["enum"])
    low = [f">= {prop['minimum']:g}"] if "minimum" in prop else [f"> {prop['exclusiveMinimum']:g}"] if "exclusiveMinimum" in prop else []
    high = [f"<= {prop['maximum']:g}"] if "maximum" in prop else [f"< {prop['exclusiveMaximum']:g}"] if "exclusiveMaximum" in prop else []
    return ", ".join(low + high)


def term_lines(definition: dict, key: str) -> list[str]:
    """The docstring lines of one term: name, unit, default, allowed values, meaning."""
    prop = definition.get("properties", {}).get(key)
    if prop is None:
        sys.exit(f"generate_components: the schema does not document {definition.get('title')}.{key}")
    facts = []
    if "x-unit" in prop:
        facts.append(f"unit: {prop['x-unit']}")
    if "default" in prop:
        facts.append(f"default {json.dumps(prop['default'])}")
    elif "x-default" in prop:
        facts.append(f"default: {prop['x-default']}")
    else:
        facts.append("required" if key in definition.get("required", []) else "optional")
    if _allowed(prop):
        facts.append(_allowed(prop))
    return [f"    {key} ({'; '.join(facts)})", f"        {prop.get('description', '')}"]


def class_doc(type_name: str, keys: list[str], example: str, definition: dict) -> str:
    lines = [f"{definition.get('description', 'A contract component.')}", "",
             f"    Contract component ``{type_name}`` (its JSON \"type\"); docs/scenario-format.md has worked examples.", "",
             "    Keyword arguments (the component's terms, checked by the C++ reader)", "    " + "-" * 66]
    for key in ["years", *keys]:
        lines += term_lines(definition, key)
    lines += ["", f"    Example (JSON): ``{' '.join(example.split())}``"]
    return "\n".join(lines)


def main() -> None:
    folder = sys.argv[1]
    types = load_core(folder).component_types()
    # Each term's meaning, unit and default: the scenario schema (copied next to the module).
    with open(os.path.join(folder, "scenario.schema.json"), encoding="utf-8") as f:
        definitions = json.load(f)["$defs"]
    header = '"""Contract component classes, one per type registered in C++ (written by\npython/generate_components.py when the module is built; do not edit)."""\n'
    code = [header, "from ._component_base import Component", "", f"__all__ = {[c for _, c, *_ in types]!r}", ""]
    stubs = [header, "from typing import Any", "", "from ._component_base import Component", ""]
    for type_name, class_name, keys, example in types:
        if type_name not in definitions:
            sys.exit(f"generate_components: the schema has no definition of the component {type_name}")
        doc = class_doc(type_name, list(keys), example, definitions[type_name])
        code += ["", f"class {class_name}(Component):", f'    """{doc}"""', "",
                 f"    type_name = {type_name!r}", f"    terms = {tuple(keys)!r}", f"    example = {example!r}", ""]
        params = ", ".join(f"{k}: Any = ..." for k in keys)
        stubs += ["", f"class {class_name}(Component):", f"    type_name: str", f"    terms: tuple[str, ...]", f"    example: str",
                  f"    def __init__(self, *, years: list[int] | None = ..., {params}) -> None: ...", ""]
    write_if_changed(os.path.join(folder, "_components.py"), "\n".join(code).rstrip() + "\n")
    write_if_changed(os.path.join(folder, "_components.pyi"), "\n".join(stubs).rstrip() + "\n")


if __name__ == "__main__":
    main()
