"""The project's import graph, read from the source with `ast` (nothing is imported), and the
rule it must follow. Lazy imports inside functions count like any other.

    ops ───────────────► anything below (the operator CLI; nothing imports it)
    serve_app.app ─────► deployments.<model>.deployment (the one place the graph is bound)
    serve_app ─────────► kernel; inside it, downwards only: the Ray shells (app, ingress,
                         ray_schema, ray_telemetry) > api > the HTTP pieces (routes,
                         dependencies, edge) > the replica's parts (components, health, metrics,
                         serve_config) > services > infra > contract; in infra's store package
                         the two stores and tenancy import none of each other (each store
                         reads; tenancy decides above both)
    deployments ───────► kernel; a model's serving code only its own package and hosting;
                         its offline package (deployments.<model>.offline: training,
                         evaluation, corpora) also other models' serving code, demo_data and
                         the offline code models share (deployments.offline), never another
                         model's offline package; offline evaluation code also eval_world;
                         a replica loads no offline code
    demo_data ─────────► kernel
    kernel ────────────► nothing of this project
    testkit ───────────► anything but ops (what tests and bench share; the product never
                         imports it); bench imports nothing from tests
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

PRODUCT = ("kernel", "demo_data", "eval_world", "deployments", "serve_app", "ops")
"""The packages the wheel and the image ship."""
TESTKIT = "testkit"
"""What the tests and the benchmarks share (not in the wheel or the image)."""
PACKAGES = (*PRODUCT, TESTKIT)
OFFLINE = "offline"
"""The package of offline code: each model's (deployments.<model>.offline) and the one their
offline code shares (deployments.offline). What a replica must never load."""
RAY_SHELLS = (
    "serve_app.app",
    "serve_app.ingress",
    "serve_app.ray_schema",
    "serve_app.ray_telemetry",
    "deployments.hosting.host",
    "ops.drain",
    "ops.ray_dashboards",
)
"""Besides each deployments.<model>.deployment, the only modules that may import Ray (ops.drain
is a pod's preStop: it asks the Ray cluster itself to drain the node; serve_app.ray_schema holds
a serve.yaml against Ray's own schema for `fineasy config`; serve_app.ray_telemetry records the
ingress's metrics with Ray's and reads every node's; ops.ray_dashboards writes Ray's own Grafana
dashboards with Ray's factory)."""
BIND_SITE = "serve_app.app"
SERVE_APP_LAYERS = {
    "contract": 0,
    "infra": 1,
    "services": 2,
    **dict.fromkeys(("components", "health", "metrics", "serve_config"), 3),
    **dict.fromkeys(("routes", "dependencies", "edge"), 4),
    "api": 5,
}
"""serve_app's subpackages and modules, lowest first: the contract, the adapters, the services,
the replica's parts, the HTTP pieces, the app that assembles them. Its other modules are the Ray
shells of the ingress side, above them all."""
STORE_PACKAGE = "serve_app.infra.store"
STORE_TOPS = frozenset({"sql", "supabase_rest", "tenancy"})
"""The store package's modules that nothing else in it imports: each store stands on its own,
and tenancy decides above both, on the business row the Store Protocol reads."""

Graph = dict[str, set[str]]


def module_files(root: Path) -> dict[str, Path]:
    """Every module of the project's packages: dotted name -> file."""
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _resolve(name: str, known: Mapping[str, Path]) -> str | None:
    """The project module a dotted import name lands in (a symbol's module, for `from m import
    symbol`), or None when it is not the project's."""
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def imports_of(path: Path, known: Mapping[str, Path]) -> tuple[set[str], set[str]]:
    """(project modules, other top-level modules) that one file imports, anywhere in it."""
    project: set[str] = set()
    external: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
        for name in names:
            target = _resolve(name, known)
            if target is None:
                external.add(name.partition(".")[0])
            else:
                project.add(target)
    return project, external


def import_graph(root: Path) -> tuple[Graph, Graph]:
    """(module -> project modules it imports, module -> other top-level packages it imports)"""
    known = module_files(root)
    graph: Graph = {}
    external: Graph = {}
    for name, path in known.items():
        graph[name], external[name] = imports_of(path, known)
        graph[name].discard(name)
    return graph, external


def top(module: str) -> str:
    return module.partition(".")[0]


def module_name(module: str) -> str:
    return module.rsplit(".", 1)[-1]


def model_of(module: str) -> str | None:
    """`fraud` for deployments.fraud.*; None for deployments.hosting.*, the shared
    deployments.offline.* and other packages."""
    parts = module.split(".")
    if parts[0] != "deployments" or len(parts) < 2 or parts[1] in ("hosting", OFFLINE):
        return None
    return parts[1]


def _layer(module: str) -> int:
    """Rank of a serve_app module: its own or its subpackage's, or above them all for the Ray
    shells."""
    parts = module.split(".")
    shells = max(SERVE_APP_LAYERS.values()) + 1
    return SERVE_APP_LAYERS.get(parts[1], shells) if len(parts) > 1 else shells


def _in_store(module: str) -> bool:
    return module.startswith(f"{STORE_PACKAGE}.")


def in_offline_package(module: str) -> bool:
    """deployments.offline, deployments.<model>.offline, and what is in them."""
    parts = module.split(".")
    return parts[0] == "deployments" and OFFLINE in parts[1:3]


def is_offline(module: str) -> bool:
    return top(module) in ("demo_data", "eval_world", "ops") or in_offline_package(module)


def is_model_shell(module: str) -> bool:
    return model_of(module) is not None and module.endswith(".deployment")


def _allowed(source: str, target: str) -> str | None:
    """Why `source` may not import `target`, or None when it may."""
    src, dst = top(source), top(target)
    if dst == "ops" and src != "ops":
        return "nothing imports the operator CLI"
    if dst == TESTKIT and src != TESTKIT:
        return "the product never imports the test kit"
    if src == TESTKIT:
        return None
    if dst == "eval_world" and src != "eval_world":
        evaluation = src == "ops" or (is_offline(source) and module_name(source) == "evaluation")
        return None if evaluation else "only evaluation code sees the independent world"
    if src == "ops" or dst == "kernel" or src == dst == "demo_data" or src == dst == "eval_world":
        return None
    if src == "kernel":
        return "the kernel imports nothing of this project"
    if src == "demo_data":
        return "demo_data imports only the kernel"
    if src == "eval_world":
        return "the independent world imports only the kernel"
    if src == "serve_app":
        if dst == "serve_app":
            if _in_store(source) and _in_store(target) and module_name(target) in STORE_TOPS:
                return "the stores and tenancy import none of each other: tenancy decides alone"
            if _layer(target) <= _layer(source):
                return None
            return (
                "serve_app imports downwards: the Ray shells > api > the HTTP pieces > the"
                " replica's parts > services > infra > contract"
            )
        if dst == "deployments" and source == BIND_SITE and is_model_shell(target):
            return None
        return f"the ingress side imports model code only in {BIND_SITE}, and only the shells"
    # deployments
    if is_offline(source):
        if dst not in ("deployments", "demo_data"):
            return "model code never imports it"
        if in_offline_package(target) and model_of(target) not in (None, model_of(source)):
            return "no other model's offline code: what models share is in deployments.offline"
        return None
    if is_offline(target):
        return "a replica never imports offline code or demo data"
    if dst != "deployments":
        return "model code imports only the kernel and its own package"
    if model_of(target) not in (None, model_of(source)):
        return "a model's serving code imports only its own package and deployments.hosting"
    return None


def violations(graph: Mapping[str, Iterable[str]]) -> list[str]:
    return sorted(
        f"{source} -> {target}: {why}"
        for source, targets in graph.items()
        for target in targets
        if (why := _allowed(source, target)) is not None
    )


def ray_violations(external: Mapping[str, Iterable[str]]) -> list[str]:
    return sorted(
        f"{module} imports ray"
        for module, packages in external.items()
        if "ray" in packages and not (is_model_shell(module) or module in RAY_SHELLS)
    )


def bench_violations(root: Path) -> list[str]:
    """bench/ modules that import tests/ (what both need is in the test kit)."""
    found = []
    for path in sorted((root / "bench").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            found += [
                f"{path.relative_to(root)} imports {name}: bench imports the test kit, never tests"
                for name in names
                if top(name) == "tests"
            ]
    return sorted(found)


def cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Strongly connected groups of two or more nodes (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def package_graph(graph: Mapping[str, Iterable[str]], files: Mapping[str, Path]) -> Graph:
    """The same edges between packages (a module counts as its package; a package's
    __init__ as the package itself), without a package's edges to itself. serve_app's own
    modules count each as itself: they stand in layers of their own (SERVE_APP_LAYERS), with its
    subpackages between them (the routes below api, above components)."""

    def package(module: str) -> str:
        if files[module].name == "__init__.py" or module.split(".")[:-1] == ["serve_app"]:
            return module
        return module.rpartition(".")[0]

    out: Graph = {}
    for source, targets in graph.items():
        edges = out.setdefault(package(source), set())
        edges.update(package(t) for t in targets if package(t) != package(source))
    return out


def closure(graph: Mapping[str, Iterable[str]], start: str) -> set[str]:
    """Every project module that importing `start` may load (its transitive imports)."""
    seen, todo = {start}, [start]
    while todo:
        for nxt in graph.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def package_lines(root: Path) -> list[str]:
    """The package graph as docs/architecture.md shows it: each package of the project and the
    packages it imports (`make graph`; a unit test holds the document to it)."""
    graph, _ = import_graph(root)
    packages = package_graph(graph, module_files(root))
    return [f"{p} -> {', '.join(sorted(packages[p])) or '(nothing)'}" for p in sorted(packages)]


if __name__ == "__main__":
    from kernel.paths import PROJECT_ROOT

    print("\n".join(package_lines(PROJECT_ROOT)))
