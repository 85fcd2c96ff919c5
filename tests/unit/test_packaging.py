"""Every data file the code reads ships with the package (pyproject's package-data), so an
installed wheel evaluates and serves like the checkout."""

from __future__ import annotations

import fnmatch
import tomllib

from kernel.paths import PROJECT_ROOT
from tests.support.imports import PRODUCT

PYPROJECT = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())


def data_files() -> list[tuple[str, str]]:
    """(package, path relative to it) of every non-Python file under the packages."""
    found = []
    for top in PRODUCT:
        for path in sorted((PROJECT_ROOT / top).rglob("*")):
            if path.is_dir() or path.suffix in (".py", ".pyc") or "__pycache__" in path.parts:
                continue
            folder = path.parent
            while not (folder / "__init__.py").exists():
                folder = folder.parent
            package = ".".join(folder.relative_to(PROJECT_ROOT).parts)
            found.append((package, str(path.relative_to(folder))))
    return found


def test_every_data_file_is_declared_package_data() -> None:
    declared = PYPROJECT["tool"]["setuptools"]["package-data"]
    missing = [
        f"{package}: {name}"
        for package, name in data_files()
        if not any(fnmatch.fnmatch(name, glob) for glob in declared.get(package, []))
    ]
    assert data_files(), "no data files found: the walk is wrong"
    assert missing == []


def test_every_package_is_found_by_setuptools() -> None:
    include = PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
    assert sorted(p.rstrip("*") for p in include) == sorted(PRODUCT)
