"""The sha256 of each model's artifact, pinned in config/serve.yaml (`user_config.model_sha256`
of its deployment): `fineasy train` writes it there (and into the RayService generated from the
file), and a replica refuses an artifact that hashes otherwise, whatever its manifest says.

The file is edited as text, one line per pin, so its comments and layout stay as written; a pin
is quoted (a digest of digits only would otherwise read as a number).
"""

from __future__ import annotations

import re
from pathlib import Path

from serve_app.serve_config import SERVE_YAML


def deployment_of(model: str) -> str:
    """The deployment that serves `model` (fraud -> FraudDeployment, ocr -> OcrDeployment)."""
    return f"{model.title()}Deployment"


def _block(lines: list[str], deployment: str) -> tuple[int, int]:
    """The line range of `deployment`'s entry in the applications' deployments list."""
    start = next(
        (i for i, line in enumerate(lines) if re.match(rf"^\s*- name: {deployment}\s*$", line)),
        None,
    )
    if start is None:
        raise KeyError(f"{deployment} is not in the file")
    indent = len(lines[start]) - len(lines[start].lstrip())
    end = start + 1
    while end < len(lines) and not (
        lines[end].strip() and len(lines[end]) - len(lines[end].lstrip()) <= indent
    ):
        end += 1
    return start, end


def pinned(model: str, path: Path = SERVE_YAML) -> tuple[str, str | None]:
    """(the model_version, the model_sha256) the file gives `model`'s deployment."""
    lines = path.read_text().splitlines(keepends=True)
    start, end = _block(lines, deployment_of(model))
    found: dict[str, str] = {}
    for line in lines[start:end]:
        match = re.match(r"^\s*(model_version|model_sha256):\s*(\S+)\s*$", line)
        if match:
            found[match.group(1)] = match.group(2).strip("\"'")
    return found["model_version"], found.get("model_sha256")


def pin(model: str, version: str, sha256: str, path: Path = SERVE_YAML) -> bool:
    """Writes `sha256` as the pin of `model`'s deployment when the file serves `version`;
    True when the file changed."""
    configured, current = pinned(model, path)
    if configured != version or current == sha256:
        return False
    lines = path.read_text().splitlines(keepends=True)
    start, end = _block(lines, deployment_of(model))
    for i in range(start, end):
        match = re.match(r"^(\s*)model_sha256:", lines[i])
        if match:
            lines[i] = f'{match.group(1)}model_sha256: "{sha256}"\n'
            break
    else:
        at = next(i for i in range(start, end) if re.match(r"^\s*model_version:", lines[i]))
        pad = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
        lines.insert(at + 1, f'{pad}model_sha256: "{sha256}"\n')
    path.write_text("".join(lines))
    return True
