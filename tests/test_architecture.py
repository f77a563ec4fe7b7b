"""The layering docs/ARCHITECTURE.md promises, checked on the source: imports point down only.

cli → pipeline/stages → domain packages → core. Every import counts, including those inside functions and under
TYPE_CHECKING, so a dependency cannot hide in a lazy import.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.paths import REPO

PACKAGE = REPO / "synth"
DOMAIN = {"sources", "ingest", "retrieval", "claims", "verification", "synthesis", "report", "engines"}
EXTRAS = {"training", "experiments"}


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name == "synth" or name.startswith("synth.")}


def _room(module: str) -> str:
    """The top-level package of ``synth.x.y`` (``x``), or the module itself for ``synth/__init__`` etc."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "synth"


MODULES = {".".join(p.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__"): p for p in PACKAGE.rglob("*.py")}


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _room(m) == "core"))
def test_core_imports_only_core(module: str) -> None:
    bad = {i for i in _imports(MODULES[module]) if _room(i) not in {"core", "synth"}}
    assert not bad, f"{module} imports {bad}"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _room(m) in DOMAIN))
def test_domain_packages_never_import_stages_pipeline_cli_or_extras(module: str) -> None:
    bad = {i for i in _imports(MODULES[module]) if _room(i) in {"stages", "pipeline", "cli", *EXTRAS}}
    assert not bad, f"{module} imports {bad}"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _room(m) not in EXTRAS))
def test_nothing_outside_the_extras_imports_them(module: str) -> None:
    bad = {i for i in _imports(MODULES[module]) if _room(i) in EXTRAS}
    assert not bad, f"{module} imports {bad}"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _room(m) == "stages" and m != "synth.stages"))
def test_no_stage_imports_another_stage(module: str) -> None:
    bad = {i for i in _imports(MODULES[module]) if i.startswith("synth.stages")}
    assert not bad, f"{module} imports {bad}"


def test_pipeline_never_imports_the_stages_or_the_cli() -> None:
    for module, path in MODULES.items():
        if _room(module) == "pipeline":
            assert not {i for i in _imports(path) if _room(i) in {"stages", "cli"}}, module


def test_no_import_cycle_between_packages() -> None:
    edges: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        edges.setdefault(_room(module), set()).update(_room(i) for i in _imports(path) if _room(i) != _room(module))
    edges.pop("synth", None)
    for deps in edges.values():
        deps.discard("synth")  # synth/__init__ holds only the version

    def reach(start: str) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            for nxt in edges.get(todo.pop(), set()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    cycles = sorted(room for room in edges if room in reach(room))
    assert not cycles, f"packages on an import cycle: {cycles} ({ {r: sorted(edges[r]) for r in cycles} })"
