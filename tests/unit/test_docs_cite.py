"""The tests the documents cite as evidence exist: a test renamed or moved updates the README
and docs/ with it."""

from __future__ import annotations

import re
from pathlib import Path

from kernel.paths import PROJECT_ROOT

CITED = re.compile(r"(tests/[\w/]+\.py)(?:::(\w+))?|(?<![\w/.])::(\w+)")
"""`tests/<file>.py`, `tests/<file>.py::<test>`, or `::<test>` of the last file on the line."""


def missing_citations(document: Path, root: Path) -> list[str]:
    found = []
    for number, line in enumerate(document.read_text().splitlines(), 1):
        current: str | None = None
        for match in CITED.finditer(line):
            cited_file, name = match.group(1), match.group(2) or match.group(3)
            if cited_file:
                current = cited_file
                if not (root / cited_file).is_file():
                    found.append(f"{document.name}:{number}: {cited_file}")
                    current = None
                    continue
            if name and current and f"def {name}(" not in (root / current).read_text():
                found.append(f"{document.name}:{number}: {current}::{name}")
    return found


def test_every_test_the_documents_cite_exists() -> None:
    documents = [PROJECT_ROOT / "README.md", *sorted((PROJECT_ROOT / "docs").glob("*.md"))]
    assert [m for d in documents for m in missing_citations(d, PROJECT_ROOT)] == []


def test_a_moved_or_renamed_test_is_caught(tmp_path: Path) -> None:
    (tmp_path / "tests" / "app").mkdir(parents=True)
    (tmp_path / "tests" / "app" / "test_a.py").write_text("def test_kept():\n    pass\n")
    document = tmp_path / "security.md"
    document.write_text(
        "| T1 | `tests/app/test_a.py::test_kept`, `::test_renamed` |\n"
        "| T2 | `tests/app/test_gone.py::test_kept` |\n"
    )
    assert missing_citations(document, tmp_path) == [
        "security.md:1: tests/app/test_a.py::test_renamed",
        "security.md:2: tests/app/test_gone.py",
    ]
