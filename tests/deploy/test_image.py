"""The Dockerfile and its build context, checked without a container engine: hadolint, what
`docker build .` would send (the .dockerignore read by docker-py's own matcher), and that every
COPY finds its source there. Building and running the image is left to a machine with Docker
(README, "Docker")."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from docker.utils.build import exclude_paths

from kernel.paths import PROJECT_ROOT
from tests.deploy.conftest import Run, tool

SECRET_PATTERNS = {
    "a JWT": re.compile(r"eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\."),
    "a private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "an AWS key": re.compile(r"AKIA[0-9A-Z]{16}"),
    "a Slack webhook": re.compile(r"hooks\.slack\.com/services/T[0-9A-Z]+/"),
    "a filled secret setting": re.compile(
        r"^(SUPABASE_SERVICE_KEY|SUPABASE_JWT_SECRET|SUPABASE_ANON_KEY|DATABASE_URL)=\S{8,}", re.M
    ),
}


def build_context(root: Path = PROJECT_ROOT) -> set[str]:
    """The files (not folders) `docker build` would send from `root`."""
    patterns = (root / ".dockerignore").read_text().splitlines()
    patterns = [p for p in (line.strip() for line in patterns) if p and not p.startswith("#")]
    return {p for p in exclude_paths(str(root), patterns) if (root / p).is_file()}


def test_hadolint_passes(run: Run) -> None:
    done = run(tool("hadolint"), "--no-color", "--failure-threshold", "warning", "Dockerfile")
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_context_holds_no_secret_no_state_and_no_tests() -> None:
    context = build_context()
    assert "serve_app/api.py" in context and "config/serve.yaml" in context
    top = {path.split("/")[0] for path in context}
    assert not top & {"var", ".env", ".git", ".venv", "tests", "bench", ".tools", "k8s"}
    assert not [p for p in context if Path(p).name.startswith(".env")]
    found = [
        f"{path}: {what}"
        for path in sorted(context)
        for what, pattern in SECRET_PATTERNS.items()
        if pattern.search((PROJECT_ROOT / path).read_text(errors="replace"))
    ]
    assert found == []


def test_the_context_check_sees_a_planted_secret(tmp_path: Path) -> None:
    (tmp_path / ".dockerignore").write_text((PROJECT_ROOT / ".dockerignore").read_text())
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "local.env").write_text("SUPABASE_SERVICE_KEY=eyJhbGciOiJIUzI1NiJ9\n")
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "fineasy.db").write_text("rows")
    context = build_context(tmp_path)
    assert "var/fineasy.db" not in context and "config/local.env" in context
    text = (tmp_path / "config" / "local.env").read_text()
    assert SECRET_PATTERNS["a filled secret setting"].search(text)


def test_every_copy_finds_its_source_in_the_context() -> None:
    context = build_context()
    sources = []
    for line in (PROJECT_ROOT / "Dockerfile").read_text().splitlines():
        words = line.split()
        if words[:1] == ["COPY"] and not any(w.startswith("--from") for w in words):
            sources += [w for w in words[1:-1] if not w.startswith("--")]
    assert sources
    for source in sources:
        assert source in context or any(p.startswith(source.rstrip("/") + "/") for p in context), (
            source
        )


def test_every_package_of_the_project_is_built_into_the_image() -> None:
    """`fineasy train` runs in the build: a package left out of the context breaks it (the
    fraud trainer's held-out evaluation imports eval_world)."""
    include = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "packages"
    ]["find"]["include"]
    packages = sorted(glob.rstrip("*") for glob in include)
    context = build_context()
    copied = (PROJECT_ROOT / "Dockerfile").read_text()
    for package in packages:
        assert f"{package}/__init__.py" in context, package
        assert f"COPY {package} ./{package}" in copied, package


def test_the_image_runs_as_non_root_with_a_health_check_and_wget() -> None:
    text = (PROJECT_ROOT / "Dockerfile").read_text()
    final = text[text.rindex("\nFROM ") :]
    assert re.search(r"^USER 1000", final, re.M)
    assert "HEALTHCHECK" in final and "/health" in final
    assert re.search(r"apt-get install [^\n]*\bwget\b", final)
    assert (
        "python:3.11" in text
        and "ray[serve]==2.60.0" in (PROJECT_ROOT / "pyproject.toml").read_text()
    )
    assert "fineasy train --version v1 --check-pins" in text  # the pinned models are in it
    # code, config and models are root's, read-only to uid 1000: only var/ is the user's
    assert "COPY --from=build /app /app" in final and "--chown" not in final
    owned = "/app/var/logs /app/var/data"
    assert f"RUN mkdir -p {owned} && chown 1000:1000 {owned}\n" in final


def test_the_container_start_script_passes_shellcheck(run: Run) -> None:
    scripts = sorted(str(p) for p in (PROJECT_ROOT / "scripts").rglob("*.sh"))
    done = run(tool("shellcheck"), "-S", "warning", *scripts)
    assert done.returncode == 0, done.stdout


def test_both_stages_install_the_same_pinned_tesseract_data() -> None:
    """The OCR artifact is made in the build stage and pins the sha256 of Tesseract's language
    data: the final stage must install exactly those packages, or its replicas refuse it."""
    text = (PROJECT_ROOT / "Dockerfile").read_text()
    packages = re.search(r'^ARG TESSERACT_PACKAGES="([^"]+)"', text, re.M)
    assert packages is not None
    assert {"tesseract-ocr", "tesseract-ocr-eng=1:4.1.0-2", "tesseract-ocr-hin=1:4.1.0-2"} == set(
        packages.group(1).split()
    )
    build, final = text[: text.rindex("\nFROM ")], text[text.rindex("\nFROM ") :]
    for stage in (build, final):
        assert "ARG TESSERACT_PACKAGES\n" in stage
        assert re.search(r"apt-get install [^\n]*\$\{TESSERACT_PACKAGES\}", stage)
    assert "fonts-lohit-deva" in build  # the evaluation's Hindi party names are drawn in it


def test_the_image_sets_no_environment_of_its_own() -> None:
    """ENVIRONMENT has no default in the image either: a container started without it stops at
    start-up naming it, rather than running as development (open /docs and operator routes)."""
    text = (PROJECT_ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    instructions = [line.split(None, 1) for line in text.splitlines() if line.strip()]
    set_names = {
        word.split("=", 1)[0]
        for words in instructions
        if words[0] in {"ENV", "ARG"} and len(words) > 1
        for word in words[1].split()
    }
    assert "OMP_NUM_THREADS" in set_names  # the parsing sees the ENV lines
    assert "ENVIRONMENT" not in set_names
    assert "-e ENVIRONMENT=development" in text  # the documented `docker run` names it
