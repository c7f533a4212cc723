"""The type stubs describe the module as built: every public name of apmsim (and of each
of its classes) has a stub, and every stub names something that exists. Stubs are read
with ast from the files the package ships (python/apmsim/_core.pyi, the generated
_components.pyi), the names from dir() of the built module."""
from __future__ import annotations

import ast
import inspect
import pathlib

import pytest

import apmsim
from apmsim import _components, _core

PACKAGE = pathlib.Path(apmsim.__file__).parent
# Attributes set on instances, not classes (dir() of the class does not show them).
INSTANCE_ATTRIBUTES = {"Results": {"payments", "scenario"}}


def stub_names(path: pathlib.Path, *bases_from: pathlib.Path) -> dict[str, set[str] | None]:
    """Top-level names of a stub file; for a class, its members (its bases' included, from
    this file or the typed sources `bases_from`)."""
    tree = ast.parse(path.read_text())
    classes: dict[str, ast.ClassDef] = {}
    for source in bases_from:
        classes.update((n.name, n) for n in ast.parse(source.read_text()).body if isinstance(n, ast.ClassDef))
    classes.update((n.name, n) for n in tree.body if isinstance(n, ast.ClassDef))

    def members(node: ast.ClassDef) -> set[str]:
        out: set[str] = set()
        for item in node.body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                out.add(item.name)
            elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                out.add(item.target.id)
            elif isinstance(item, ast.Assign):
                out.update(t.id for t in item.targets if isinstance(t, ast.Name))
        for base in node.bases:
            if isinstance(base, ast.Name) and base.id in classes:
                out |= members(classes[base.id])
        return out

    names: dict[str, set[str] | None] = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            names[node.name] = members(node)
        elif isinstance(node, ast.FunctionDef):
            names[node.name] = None
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names[node.target.id] = None
        elif isinstance(node, ast.Assign):
            names.update((t.id, None) for t in node.targets if isinstance(t, ast.Name))
    return names


def public(names) -> set[str]:
    return {n for n in names if not n.startswith("_")}


@pytest.mark.parametrize("module, stub", [(_core, "_core.pyi"), (_components, "_components.pyi")])
def test_every_public_name_has_a_stub_and_every_stub_exists(module, stub):
    stubs = stub_names(PACKAGE / stub, PACKAGE / "_component_base.py")
    exported = public(dir(module)) - {"annotations", "Any", "Component"}
    assert exported - set(stubs) == set(), f"no stub in {stub}"
    assert public(stubs) - exported - {"ArrayLike"} == set(), f"stubs in {stub} for names the module lacks"
    for name in exported:
        obj = getattr(module, name)
        if not inspect.isclass(obj) or issubclass(obj, BaseException) or stubs[name] is None:
            continue
        members = public(dir(obj)) | INSTANCE_ATTRIBUTES.get(name, set())
        described = public(stubs[name])
        assert members - described == set(), f"{name}: members without a stub"
        assert described - members == set(), f"{name}: stubs of members it lacks"


def test_the_package_exports_what_the_stubs_describe():
    described = public(stub_names(PACKAGE / "_core.pyi")) | public(stub_names(PACKAGE / "_components.pyi"))
    python_helpers = {"Component", "component_types", "thaw", "aggregate", "discretize", "pool_distribution",
                      "members_needed", "msr_table", "fit_risk_weights", "fit_risk_weights_design", "RiskWeightFit",
                      "read_sweep", "scenario_schema", "sweep", "report", "ResultsFile", "wide", "run_split", "member_months",
                      "paid_triangle", "completion_factors", "calibrate", "synthesize", "Calibration", "monitor",
                      "Monitoring"}
    missing = {n for n in apmsim.__all__ if n not in described and n not in python_helpers}
    assert missing == set(), "exported without a stub (or a typed Python helper)"
    for name in python_helpers & set(apmsim.__all__):
        assert getattr(apmsim, name).__doc__, f"{name} has no docstring"


def test_help_documents_every_term_of_every_component():
    """help(apmsim.RiskCorridor) says what each keyword means, with its unit or default (from the schema)."""
    schema = apmsim.scenario_schema()["$defs"]
    for type_name in apmsim.component_types():
        cls = next(c for c in map(lambda n: getattr(apmsim, n), _components.__all__) if c.type_name == type_name)
        doc = inspect.getdoc(cls)
        assert doc.splitlines()[0] == schema[type_name]["description"]
        for term in ("years", *cls.terms):
            prop = schema[type_name]["properties"][term]
            line = next((l for l in doc.splitlines() if l.startswith(f"{term} (")), None)
            assert line is not None, f"{cls.__name__}: no entry for {term}"
            assert "default" in line or "required" in line or "optional" in line, line
            assert prop["description"] in doc, f"{cls.__name__}.{term}: its meaning is not in the help"
