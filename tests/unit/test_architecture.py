"""The architecture, enforced: the import rule of tests/support/imports.py on the real import
graph, no cycles at module or package level, no offline code in a replica, Ray only in the
shells; and each rule shown to fail on a planted violation."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kernel.paths import PROJECT_ROOT
from tests.support.imports import (
    BIND_SITE,
    PACKAGES,
    bench_violations,
    closure,
    cycles,
    import_graph,
    is_model_shell,
    is_offline,
    module_files,
    package_graph,
    package_lines,
    ray_violations,
    top,
    violations,
)

GRAPH, EXTERNAL = import_graph(PROJECT_ROOT)
FILES = module_files(PROJECT_ROOT)
SHELLS = sorted(m for m in GRAPH if is_model_shell(m))


def test_the_graph_sees_every_package_and_the_six_model_shells() -> None:
    assert {top(m) for m in GRAPH} == set(PACKAGES)
    assert SHELLS == [
        "deployments.assistant.deployment",
        "deployments.compliance.deployment",
        "deployments.fraud.deployment",
        "deployments.insights.deployment",
        "deployments.invoice.deployment",
        "deployments.ocr.deployment",
    ]
    assert set(SHELLS) <= GRAPH[BIND_SITE]


def test_imports_run_one_way() -> None:
    assert violations(GRAPH) == []


def test_no_import_cycle_between_modules_or_packages() -> None:
    assert cycles(GRAPH) == []
    assert cycles(package_graph(GRAPH, FILES)) == []
    top_level = {top(s): {top(t) for t in ts if top(t) != top(s)} for s, ts in GRAPH.items()}
    assert cycles(top_level) == []


@pytest.mark.parametrize("start", [*SHELLS, BIND_SITE])
def test_a_replica_never_loads_offline_code(start: str) -> None:
    assert sorted(m for m in closure(GRAPH, start) if is_offline(m)) == []


def test_only_the_shells_import_ray() -> None:
    assert ray_violations(EXTERNAL) == []


def test_a_wrong_way_import_is_caught() -> None:
    planted = {**GRAPH, "deployments.fraud.predictor": {"serve_app.infra.store"}}
    assert violations(planted) == [
        "deployments.fraud.predictor -> serve_app.infra.store: model code imports only the kernel "
        "and its own package"
    ]


def test_a_replica_importing_training_code_is_caught() -> None:
    planted = {**GRAPH, "deployments.fraud.features": {"deployments.fraud.offline.training"}}
    assert violations(planted) == [
        "deployments.fraud.features -> deployments.fraud.offline.training: a replica never imports "
        "offline code or demo data"
    ]
    assert "deployments.fraud.offline.training" in closure(planted, "deployments.fraud.deployment")


def test_offline_code_reaching_into_another_models_is_caught() -> None:
    """What two models' offline code both use (word lists, the invoice requests) lives in
    deployments.offline, so no model's training changes when another's does."""
    planted = {
        **GRAPH,
        "deployments.assistant.offline.corpus": {"deployments.invoice.offline.training"},
    }
    assert violations(planted) == [
        "deployments.assistant.offline.corpus -> deployments.invoice.offline.training: no other "
        "model's offline code: what models share is in deployments.offline"
    ]


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("kernel.books", "serve_app.contract.errors"),
        ("demo_data.ledger", "deployments.fraud.predictor"),
        ("serve_app.infra.store", "deployments.fraud.deployment"),
        (BIND_SITE, "deployments.fraud.predictor"),
        ("deployments.invoice.parser", "deployments.compliance.rate_model"),
        ("deployments.compliance.checker", "deployments.compliance.offline.labelled"),
        ("deployments.invoice.parser", "deployments.offline.vocabulary"),  # shared, still offline
        ("deployments.offline.invoice_corpus", "deployments.invoice.offline.evaluation"),
        ("serve_app.api", "ops.cli"),
        ("serve_app.infra.store", "serve_app.services.results"),
        ("serve_app.contract.errors", "serve_app.infra.logs"),
        ("serve_app.services.fraud", "serve_app.components"),
        ("serve_app.infra.store.sql", "serve_app.infra.store.tenancy"),  # a store deciding
        ("serve_app.infra.store.tenancy", "serve_app.infra.store.supabase_rest"),
        ("serve_app.infra.store.supabase_rest", "serve_app.infra.store.sql"),
        ("serve_app.components", "serve_app.dependencies"),  # the parts never see HTTP
        ("serve_app.routes.fraud", "serve_app.api"),  # a route never sees the assembly
        ("serve_app.api", "serve_app.ingress"),  # nor does the app see the Ray shell
        ("deployments.fraud.offline.training", "eval_world.fraud"),  # training never sees it
        ("demo_data.ledger", "eval_world.fraud"),
        ("eval_world.fraud", "demo_data.ledger"),  # nor does it share demo_data's code
        ("deployments.fraud.predictor", "eval_world.fraud"),
        ("serve_app.api", "testkit.fakes"),  # the product never loads the test kit
        ("deployments.fraud.offline.training", "testkit.factories"),
        ("testkit.factories", "ops.models"),
    ],
)
def test_each_rule_refuses_its_wrong_way(source: str, target: str) -> None:
    assert [v.split(":")[0] for v in violations({source: {target}})] == [f"{source} -> {target}"]


def test_bench_imports_nothing_from_tests() -> None:
    assert bench_violations(PROJECT_ROOT) == []


def test_a_bench_importing_tests_is_caught(tmp_path: Path) -> None:
    (tmp_path / "bench").mkdir()
    (tmp_path / "bench" / "run.py").write_text(
        "import testkit.ports\n\ndef main():\n    from tests.support.services import Postgres\n"
    )
    assert bench_violations(tmp_path) == [
        "bench/run.py imports tests.support.services: bench imports the test kit, never tests"
    ]


def test_a_planted_cycle_is_caught() -> None:
    planted = {**GRAPH, "kernel.money": {"kernel.books"}, "kernel.books": {"kernel.money"}}
    assert cycles(planted) == [["kernel.books", "kernel.money"]]


def test_a_cycle_between_a_serve_app_module_and_a_subpackage_is_caught() -> None:
    """serve_app's own modules are nodes of the package graph by themselves (each its own
    layer): a subpackage must still never import one that imports it, by any of its modules."""
    planted = {
        **GRAPH,
        "serve_app.serve_config": {"serve_app.routes.ocr"},
        "serve_app.routes.health": {"serve_app.serve_config"},
    }
    assert cycles(planted) == []
    assert cycles(package_graph(planted, FILES)) == [["serve_app.routes", "serve_app.serve_config"]]


def test_lazy_imports_in_a_temporary_module_count(tmp_path: Path) -> None:
    for package in PACKAGES:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "serve_app" / "infra").mkdir()
    (tmp_path / "serve_app" / "infra" / "__init__.py").write_text("")
    (tmp_path / "serve_app" / "infra" / "store.py").write_text("import ray\n")
    (tmp_path / "kernel" / "helper.py").write_text(
        textwrap.dedent(
            """\
            def later():
                from serve_app.infra.store import Store
                return Store
            """
        )
    )
    graph, external = import_graph(tmp_path)
    assert violations(graph) == [
        "kernel.helper -> serve_app.infra.store: the kernel imports nothing of this project"
    ]
    assert ray_violations(external) == ["serve_app.infra.store imports ray"]


def test_importing_the_ray_free_modules_loads_no_ray() -> None:
    pure = sorted(m for m in GRAPH if m not in closure_of_ray_shells())
    # serve.yaml is read, checked and turned into the RayService without Ray or the shells
    # (the seams know each deployment's tuning); only `fineasy config` adds Ray's own schema.
    assert {"serve_app.serve_config", "ops.k8s", "kernel.models.registry"} <= set(pure)
    code = "import sys\n" + "".join(f"import {m}\n" for m in pure) + "print('ray' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def closure_of_ray_shells() -> set[str]:
    """Modules that import Ray themselves, and whatever imports them."""
    direct = {m for m, packages in EXTERNAL.items() if "ray" in packages}
    return {m for m in GRAPH if closure(GRAPH, m) & direct}


def test_a_running_ingress_graph_holds_no_offline_module() -> None:
    """What a replica really loads: import the bound graph and look at sys.modules."""
    code = (
        "import sys, serve_app.app\n"
        "print('\\n'.join(sorted(m for m in sys.modules if m.split('.')[0] in "
        f"{PACKAGES!r})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    loaded = result.stdout.split()
    assert set(SHELLS) <= set(loaded)
    assert [m for m in loaded if is_offline(m)] == []


def test_importing_settings_reads_no_environment() -> None:
    code = (
        "import os\nos.environ['MODEL_TIMEOUT_SECONDS'] = 'not-a-number'\n"
        "import serve_app.infra.settings, serve_app.app\nprint('ok')"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "ok", result.stderr


def test_the_documented_import_graph_is_the_codes() -> None:
    """docs/architecture.md shows `make graph`'s output; a change of the graph updates it."""
    document = (PROJECT_ROOT / "docs" / "architecture.md").read_text()
    shown = document.split("<!-- make graph -->\n```text\n", 1)[1].split("```", 1)[0]
    assert shown.splitlines() == package_lines(PROJECT_ROOT)


LONG_BY_NATURE = {
    "deployments/offline/invoice_corpus.py",
    "deployments/assistant/offline/corpus.py",
    "eval_world/fraud.py",
    "eval_world/scanned_invoices.py",
    "tests/fixtures/make_postgrest_exchanges.py",
}
"""Generators and corpora: long lists of words, templates and recorded rows, not long logic."""


def test_no_module_is_over_400_lines_but_corpora_and_generators() -> None:
    """The product's packages, the test kit, bench and the tests alike."""
    files = {*FILES.values(), *(PROJECT_ROOT / "bench").rglob("*.py")}
    files |= set((PROJECT_ROOT / "tests").rglob("*.py"))
    names = {path.relative_to(PROJECT_ROOT).as_posix(): path for path in files}
    long = {name for name, path in names.items() if len(path.read_text().splitlines()) > 400}
    assert long <= LONG_BY_NATURE, sorted(long - LONG_BY_NATURE)
    assert set(names) >= LONG_BY_NATURE  # the exemptions name real modules
