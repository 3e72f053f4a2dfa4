"""The parser's modules: pure Python (nothing from Django or the rest of the project), and
imports that form no circle, lazy ones inside functions included."""

import ast
import subprocess
import sys
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import papers.parsing

PACKAGE = Path(papers.parsing.__file__).resolve().parent
ROOT = PACKAGE.parents[1]


def sibling_imports(path: Path) -> set[str]:
    """The modules of papers.parsing that `path` imports, wherever the import statement is."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1:
                if node.module:
                    found.add(node.module.split(".")[0])
                else:
                    found.update(alias.name for alias in node.names)
            elif node.level == 0 and (node.module or "").startswith("papers.parsing."):
                found.add(node.module.split(".")[2])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("papers.parsing."):
                    found.add(alias.name.split(".")[2])
    return found


def test_the_parsers_imports_form_no_circle():
    graph = {
        path.stem: sibling_imports(path) for path in PACKAGE.glob("*.py") if path.stem != "__init__"
    }
    assert {"dump", "text", "json_dump", "daybook", "errors"} <= graph.keys()
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as err:
        raise AssertionError(f"import circle: {err.args[1]}") from None
    assert set(order) >= graph.keys()


def test_the_parser_imports_nothing_from_django_or_the_project():
    code = (
        "import sys\n"
        "import papers.parsing, papers.parsing.stream, papers.parsing.render\n"
        "names = {m.split('.')[0] for m in sys.modules}\n"
        "outside = {m for m in sys.modules if m.startswith('papers.')"
        " and not m.startswith('papers.parsing')}\n"
        "print(sorted(names & {'django', 'rest_framework', 'celery', 'config', 'curation'}"
        " | outside))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
