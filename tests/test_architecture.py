"""The tree is the architecture (docs/CONTRACTS.md): packages by concern, imports in one
direction, no import circle, no module too big to read. Read from the source, so a change
that breaks the rule fails here before anyone has to find it by reading."""
import ast
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOPS = ("indexer", "meetup_emulator")

# what each package of indexer/ may import (besides itself); the order of the rows is the
# dependency order, CLI at the top, common at the bottom
MAY_IMPORT = {
    "cli": {"sync", "site", "series", "match", "youtube", "drive", "transcripts", "notes", "google", "store",
            "common", "meetup_emulator"},
    "sync": {"series", "match", "youtube", "drive", "transcripts", "notes", "google", "store", "common"},
    "site": {"transcripts", "notes", "store", "common"},
    "series": {"match", "youtube", "drive", "notes", "store", "common"},
    "youtube": {"transcripts", "google", "store", "common"},
    "drive": {"transcripts", "google", "store", "common"},
    "match": {"transcripts", "notes", "common"},
    "transcripts": {"store", "common"},
    "notes": {"store", "common"},
    "google": {"common"},
    "store": {"common"},
    "common": set(),
}
MAX_LINES = 600


def modules() -> dict[str, Path]:
    out = {}
    for top in TOPS:
        for path in (ROOT / top).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join(parts)] = path
    return out


def import_graph() -> dict[str, set[str]]:
    """Module -> the project modules it imports, at the top or inside a function."""
    mods = modules()
    graph = defaultdict(set)
    for name, path in mods.items():
        is_pkg = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            targets = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    here = name.split(".") if is_pkg else name.split(".")[:-1]
                    here = here[: len(here) - node.level + 1]
                    base = ".".join(here + ([node.module] if node.module else []))
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in mods else base for a in node.names]
            for target in targets:
                while target and target not in mods:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
    return graph


def package_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] == "meetup_emulator":
        return "meetup_emulator"
    return parts[1] if len(parts) > 1 and parts[1] in MAY_IMPORT else None


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state = {}

    def visit(node, path):
        state[node] = "open"
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt, path)
                if found:
                    return found
        path.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node, [])
            if found:
                return found
    return None


def test_no_module_imports_itself_back_through_others():
    assert find_cycle(import_graph()) is None


def test_the_cycle_finder_sees_a_circle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_packages_import_only_downwards():
    wrong = []
    for module, targets in import_graph().items():
        src = package_of(module)
        if src is None or src == "meetup_emulator":
            continue
        for target in targets:
            dst = package_of(target)
            if target.startswith("meetup_emulator") and "meetup_emulator" not in MAY_IMPORT[src]:
                wrong.append(f"{module} -> {target}")
            elif dst and dst != src and dst not in MAY_IMPORT[src]:
                wrong.append(f"{module} -> {target}")
    assert wrong == []


def test_the_emulator_imports_nothing_of_indexer():
    wrong = [f"{m} -> {t}" for m, ts in import_graph().items() if m.startswith("meetup_emulator")
             for t in ts if t.startswith("indexer")]
    assert wrong == []


def test_every_package_is_in_the_rule_and_says_its_job():
    packages = sorted(p.name for p in (ROOT / "indexer").iterdir() if (p / "__init__.py").exists())
    assert packages == sorted(MAY_IMPORT)
    for name in packages:
        doc = ast.get_docstring(ast.parse((ROOT / "indexer" / name / "__init__.py").read_text()))
        assert doc and len(doc) > 60, name


def test_no_module_at_the_top_of_indexer_but_the_entry_points():
    loose = sorted(p.name for p in (ROOT / "indexer").glob("*.py"))
    assert loose == ["__init__.py", "__main__.py"]


# split along their seams in the commits that follow; strict, so each fails here once it is split
STILL_TOO_LONG: set[str] = set()


def private_imports(tree: ast.AST) -> list[str]:
    """``from indexer.x import _y``: a name its module keeps to itself, read from outside."""
    return [f"{n.module}.{a.name}" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
            and (n.module or "").startswith(TOPS) for a in n.names
            if a.name.startswith("_") and not a.name.startswith("__")]


def test_no_module_reads_another_modules_private_names():
    found = {name: str(path.relative_to(ROOT)) for path in modules().values()
             for name in private_imports(ast.parse(path.read_text()))}
    assert not found, found


def test_the_private_import_check_sees_one():
    assert private_imports(ast.parse("from indexer.notes.markdown import _Block, Lines")) == [
        "indexer.notes.markdown._Block"]


@pytest.mark.parametrize("module", [
    pytest.param(m, marks=pytest.mark.xfail(strict=True, reason="being split")) if m in STILL_TOO_LONG else m
    for m in sorted(m for m in modules() if m.startswith("indexer"))])
def test_no_module_is_too_long_to_read(module):
    lines = len(modules()[module].read_text().splitlines())
    assert lines <= MAX_LINES, f"{module}: {lines} lines"


@pytest.mark.parametrize("package", sorted(set(MAY_IMPORT) - {"cli", "site"}))
def test_importing_a_package_loads_neither_the_site_nor_the_emulator(package):
    code = (f"import sys, indexer.{package}, pkgutil, importlib\n"
            f"for m in pkgutil.iter_modules(indexer.{package}.__path__):\n"
            f"    importlib.import_module('indexer.{package}.' + m.name)\n"
            "print(sorted(m for m in sys.modules if m.startswith(('indexer.site', 'meetup_emulator', 'datasette'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("module", ["indexer.notes", "indexer.match.matcher", "indexer.transcripts.parse",
                                    "indexer.transcripts.moments"])
def test_the_parsers_and_the_matcher_touch_no_database_or_network(module):
    code = (f"import sys, {module}\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlite_utils', 'sqlite3', 'googleapiclient', "
            "'httplib2', 'indexer') and not m.startswith(('indexer.common', 'indexer.notes', 'indexer.match', "
            "'indexer.transcripts.parse', 'indexer.transcripts.moments')) and m not in ('indexer', 'indexer.transcripts')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"
