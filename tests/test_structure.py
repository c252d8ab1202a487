"""The code's shape: no import cycle between the package's modules, no module over about 400 lines."""

import ast

from conftest import ROOT

PACKAGE = ROOT / "pamphlet"
LIMIT = 400


def module_name(path):
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path):
    """The package's modules this one imports, at the top or inside a function."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("pamphlet")}
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            base = base[:len(base) - node.level + 1] if node.level else []
            target = ".".join(base + ([node.module] if node.module else []))
            if not target.startswith("pamphlet"):
                continue
            for alias in node.names:  # "from . import x" imports the module x when there is one
                candidate = f"{target}.{alias.name}"
                found.add(candidate if candidate in MODULES else target)
    return found - {name}


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py")}


def find_cycle(graph):
    """A list of modules that import each other in a ring, or None."""
    state = {}

    def visit(name, trail):
        if state.get(name) == "done":
            return None
        if state.get(name) == "open":
            return trail[trail.index(name):] + [name]
        state[name] = "open"
        for other in sorted(graph.get(name, ())):
            if cycle := visit(other, trail + [name]):
                return cycle
        state[name] = "done"
        return None

    return next((cycle for name in sorted(graph) if (cycle := visit(name, []))), None)


def test_no_import_cycle():
    graph = {name: imports(path) & set(MODULES) for name, path in MODULES.items()}
    build, print_edition = graph["pamphlet.pipeline.build"], graph["pamphlet.editions.print_edition"]
    assert {"pamphlet.editions", "pamphlet.pipeline.parallel"} <= build, "the walk sees imports"
    assert {"pamphlet.engine.pdf", "pamphlet.preflight.layout"} & print_edition, \
        "the walk sees relative imports from a subpackage"
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph))


def test_the_cycle_check_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_module_is_too_long():
    lengths = {name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in MODULES.items()}
    assert not {name: n for name, n in lengths.items() if n > LIMIT}, f"modules over {LIMIT} lines"
