"""The layering rules of src/aisite: who may import whom, and who may spell an output path."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

SRC = Path(__file__).resolve().parents[1] / "src" / "aisite"
TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def runtime_imports(path: Path) -> set[str]:
    """aisite modules a module imports when it runs (not those under `if TYPE_CHECKING:`)."""
    tree = ast.parse(path.read_text())
    found: set[str] = set()

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                continue
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.module == "aisite":
                    found.update(alias.name for alias in node.names)
                elif node.module.startswith("aisite."):
                    found.add(node.module.split(".")[1])
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.stmt):
                    visit([child])

    visit(tree.body)
    return {name for name in found if (SRC / f"{name}.py").exists()}


GRAPH = {p.stem: runtime_imports(p) for p in SRC.glob("*.py")}


def test_the_import_graph_has_no_cycle() -> None:
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def walk(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(GRAPH.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                walk(nxt, [*stack, nxt])
        state[node] = 2

    for module in sorted(GRAPH):
        if module not in state:
            walk(module, [module])
    assert cycles == []


def test_the_model_and_the_writer_stand_apart() -> None:
    # The model's three modules import only one another: settings <- claims <- articles.
    assert GRAPH["siteconfig"] == set()
    assert GRAPH["claimmodel"] == {"siteconfig"}
    assert GRAPH["model"] == {"claimmodel", "siteconfig"}
    assert GRAPH["urls"] == set()
    assert "render" not in GRAPH["write"] and "pages" not in GRAPH["write"]
    assert "write" not in GRAPH["content"]
    # Known-good sanity of the parser itself: these edges exist.
    assert {"plan", "pool"} <= GRAPH["write"]


PATH_SPELLINGS = re.compile(
    r"""['"](articles|claims|tags|topics|claimants|verdicts|page|archive|search)/"""
    r"""|['"/](feed\.xml|atom\.xml|feed\.json|claims\.json|sitemap\.xml|robots\.txt)['"]"""
)


def test_no_output_path_is_spelled_outside_the_url_module() -> None:
    offenders = []
    for path in [*SRC.glob("*.py"), *TEMPLATES.glob("*.html")]:
        if path.name == "urls.py":
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            stripped = line.strip()
            if stripped.startswith(("#", '"""', "{#")) or not PATH_SPELLINGS.search(line):
                continue
            if path.suffix == ".py" and re.match(r'^\s*"""', line):
                continue
            offenders.append(f"{path.name}:{number}: {stripped}")
    # Docstrings may name outputs; code and templates may not build them.
    offenders = [o for o in offenders if not re.search(r'^\S+: """', o)]
    assert offenders == []


def test_every_module_is_small_enough_to_read() -> None:
    """A module owns one thing, said in its first line: at most 300 lines."""
    long = {p.name: n for p in SRC.glob("*.py") if (n := len(p.read_text().splitlines())) > 300}
    assert long == {}


def test_the_readme_names_every_module() -> None:
    readme = (SRC.parents[1] / "README.md").read_text(encoding="utf-8")
    unnamed = sorted(m for m in GRAPH if not m.startswith("__") and f"`{m}`" not in readme)
    assert unnamed == []
