"""Tesseract, run as the program Debian installs (tesseract-ocr 5.3 with its eng and hin data):
the image goes in on stdin (a file in memory) and the words come back on stdout, so nothing
touches the disk.

Why Tesseract: it runs offline from the distribution's packages, reads English and Devanagari
with the LSTM models Debian ships, and needs no GPU and no weights fetched at run time; its
word boxes keep the page's layout (docs/ocr.md).
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import os
import re
import statistics
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from kernel.work import checkpoint

POLL_S = 0.05
"""How often a running Tesseract is checked on: a cancelled call kills it within this."""


class EngineError(RuntimeError):
    """Tesseract is missing, failed or ran past its time."""


class EngineTimeout(EngineError):
    """Tesseract ran past its time and was killed."""


@dataclass(frozen=True)
class Word:
    line: tuple[int, int, int]
    """(block, paragraph, line) as Tesseract numbers them."""
    left: int
    top: int
    width: int
    height: int
    confidence: float
    text: str


def tessdata_dir() -> Path:
    found = sorted(Path("/usr/share/tesseract-ocr").glob("*/tessdata"))
    prefix = os.environ.get("TESSDATA_PREFIX")
    return Path(prefix) if prefix else (found[-1] if found else Path("/usr/share/tessdata"))


def facts(languages: str) -> dict[str, str]:
    """What a reading depends on: Tesseract's version and the sha256 of each language's data."""
    try:
        done = subprocess.run(
            ["tesseract", "--version"], capture_output=True, text=True, timeout=10, check=True
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise EngineError(f"tesseract cannot run: {exc}") from None
    version = re.search(r"tesseract\s+(\S+)", done.stdout + done.stderr)
    out = {"tesseract": version.group(1) if version else "unknown"}
    for language in languages.split("+"):
        path = tessdata_dir() / f"{language}.traineddata"
        if not path.is_file():
            raise EngineError(f"no Tesseract data for {language!r} in {path.parent}")
        out[f"{language}.traineddata"] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def recognise(page: Image.Image, languages: str, psm: int, timeout_s: float) -> list[Word]:
    """The words on the page with their boxes and confidences (Tesseract's TSV output).
    Tesseract is killed past `timeout_s` (EngineTimeout), and when a checkpoint made while it
    runs stops the call (kernel/work.py: the caller stopped waiting, or its deadline passed)."""
    command = ["tesseract", "stdin", "stdout", "-l", languages, "--oem", "1", "--psm", str(psm),
               "-c", "tessedit_create_tsv=1"]  # fmt: skip
    # The page goes in as a file in memory (memfd: never on disk), so while Tesseract runs only
    # its output is waited on, and it can be checked on and stopped at any moment.
    with os.fdopen(os.memfd_create("page", os.MFD_CLOEXEC), "w+b") as image:
        page.convert("L").save(image, format="PPM")  # mode L saves as a PGM: nothing to undo
        image.seek(0)
        checkpoint(page.width * page.height)
        try:
            process = subprocess.Popen(
                command,
                stdin=image,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                # one thread: replicas share the CPUs, and Tesseract's OpenMP threads would
                # fight them
                env={**os.environ, "OMP_THREAD_LIMIT": "1"},
            )
        except OSError as exc:
            raise EngineError(f"tesseract cannot run: {exc}") from None
    try:
        output = _output(process, timeout_s)
    finally:
        if process.poll() is None:  # stopped early: Tesseract goes too
            process.kill()
            process.communicate()
    if process.returncode != 0:
        raise EngineError(f"tesseract failed ({process.returncode})")
    words = []
    for row in csv.DictReader(io.StringIO(output.decode()), delimiter="\t", quoting=3):
        text = (row.get("text") or "").strip()
        if row.get("level") != "5" or not text:
            continue
        words.append(
            Word(
                (int(row["block_num"]), int(row["par_num"]), int(row["line_num"])),
                int(row["left"]),
                int(row["top"]),
                int(row["width"]),
                int(row["height"]),
                float(row["conf"]),
                text,
            )
        )
    return words


def _output(process: subprocess.Popen[bytes], timeout_s: float) -> bytes:
    """What the process writes to stdout once it ends; a checkpoint every POLL_S while it
    runs."""
    ends = time.monotonic() + timeout_s
    while True:
        try:
            left = ends - time.monotonic()
            output, _ = process.communicate(timeout=max(0.0, min(POLL_S, left)))
            return output
        except subprocess.TimeoutExpired:
            if time.monotonic() >= ends:
                raise EngineTimeout(f"tesseract ran past {timeout_s:g} s") from None
            checkpoint(0)


def lines(words: list[Word]) -> list[tuple[str, float]]:
    """The words as printed lines, top to bottom: words far apart (a table's columns) are
    joined by two spaces, neighbours by one. Each line with its mean word confidence (0-100)."""
    rows: dict[tuple[int, int, int], list[Word]] = {}
    for word in words:
        rows.setdefault(word.line, []).append(word)
    heights = [w.height for w in words] or [20]
    gap = 1.2 * statistics.median(heights)
    out = []
    for row in sorted(rows.values(), key=lambda r: statistics.median(w.top for w in r)):
        row.sort(key=lambda w: w.left)
        text = row[0].text
        for before, word in itertools.pairwise(row):
            text += ("  " if word.left - (before.left + before.width) > gap else " ") + word.text
        out.append((text, statistics.fmean(w.confidence for w in row)))
    return out
