"""The photo half of bench/worst_inputs.py: each photo read as the OCR replica reads it (the
predictor under a work budget), in a fresh process that imports what such a replica does, less
Ray: CPU its own and Tesseract's (getrusage of its children), memory its peak RSS (VmHWM) plus
Tesseract's (sampled every 10 ms), with its RSS before the photo beside.

    .venv/bin/python bench/worst_photos.py PATH   (one photo; prints one JSON line)
"""

from __future__ import annotations

import contextlib
import json
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hypothesis import HealthCheck, Phase, given, settings

MIB = 1024 * 1024
PHOTO_CPU_S, PHOTO_MIB = 15.0, 600


def photo_candidates(count: int) -> list[tuple[str, bytes]]:
    """Photos at the caps, then `count` drawn from the property tests' strategy."""
    import numpy as np
    from PIL import Image

    from testkit import adversarial

    rng = np.random.default_rng(7)
    noise = Image.fromarray(np.where(rng.random((1080, 1920)) < 0.5, 0, 255).astype(np.uint8))
    rgba = Image.new("RGBA", (5000, 5000), (255, 255, 255, 255))
    out = [(what, data) for data, _, what in adversarial.WORST_PHOTOS]
    out += [
        ("5000x5000 RGBA PNG (4 bytes a pixel decoded)", adversarial.encode(rgba, "PNG")),
        ("1920x1080 JPEG of noise (Tesseract's worst)", adversarial.encode(noise, "JPEG")),
        ("1920x1080 PNG of 2% dots", adversarial.photo(1920, 1080, "PNG", "dots")[0]),
        ("1080x1920 JPEG of small print", adversarial.photo(1080, 1920, "JPEG", "print")[0]),
        ("4000x6000 JPEG of small print", adversarial.photo(4000, 6000, "JPEG", "print")[0]),
        ("16x400 PNG (1:25, tiny)", adversarial.photo(16, 400, "PNG", "blank")[0]),
    ]
    drawn: list[tuple[str, bytes]] = []
    if not count:
        return out

    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(photo=adversarial.photos())
    def draw(photo: tuple[bytes, int, str]) -> None:
        drawn.append(("drawn: " + photo[2], photo[0]))

    draw()
    return out + drawn


def read_one_photo(path: str) -> None:
    """In a fresh process, what the OCR replica does for the photo at `path`, with what such a
    replica imports (less Ray): prints one JSON line."""
    import psutil

    from deployments.hosting.artifacts import ArtifactError
    from deployments.ocr.offline import pinned
    from deployments.ocr.predictor import OcrPredictor
    from kernel import work
    from kernel.models.ocr import OcrTuning
    from serve_app import serve_config

    [app_config] = serve_config.read()["applications"]
    shipped = next(d for d in app_config["deployments"] if d["name"] == "OcrDeployment")
    try:
        predictor = OcrPredictor(
            pinned("eng+hin", psm=6, binarize=False, version="v1"),
            OcrTuning.model_validate(shipped["user_config"]),
        )
    except ArtifactError as exc:
        raise SystemExit(f"no Tesseract to read with: {exc}") from None
    photo = Path(path).read_bytes()
    me = psutil.Process()
    before = me.memory_info().rss
    tesseract = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            with contextlib.suppress(psutil.Error):  # it may end while being measured
                # by name: until it runs Tesseract, a child shows this process's pages as its own
                running = [c for c in me.children() if c.name() == "tesseract"]
                tesseract[0] = max(tesseract[0], sum(c.memory_info().rss for c in running))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    own, children = usage()
    with work.installed(work.Budget(30.0)):  # as a replica's call (CALL_CAP_S)
        result = predictor.read(photo)
    outcome = result.refused or f"{len(result.lines)} lines read"
    own2, children2 = usage()
    done.set()
    sampler.join()
    cpu = sum(
        getattr(b, f) - getattr(a, f)
        for a, b in ((own, own2), (children, children2))
        for f in ("ru_utime", "ru_stime")
    )
    print(
        json.dumps(
            {
                "cpu_s": cpu,
                "own_mib": own_peak() / MIB,
                "tesseract_mib": tesseract[0] / MIB,
                "before_mib": before / MIB,
                "outcome": outcome,
            }
        )
    )


def own_peak() -> int:
    """This process's peak RSS since it started its program (VmHWM; getrusage's ru_maxrss
    would carry the parent's size at the fork)."""
    lines = Path("/proc/self/status").read_text().splitlines()
    return int(next(line.split()[1] for line in lines if line.startswith("VmHWM"))) * 1024


def usage() -> tuple[resource.struct_rusage, resource.struct_rusage]:
    """This process's resource use, and its waited-for children's (Tesseract)."""
    return resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)


def photo_rows(count: int) -> list[tuple[str, str, dict[str, Any]]]:
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for i, (what, data) in enumerate(photo_candidates(count)):
            path = Path(folder) / f"photo{i}"
            path.write_bytes(data)
            done = subprocess.run(
                [sys.executable, __file__, str(path)],
                capture_output=True,
                text=True,
                check=True,
            )
            rows.append((what, f"{len(data):,} bytes", json.loads(done.stdout.splitlines()[-1])))
    return rows


def photo_table(count: int) -> None:
    print(
        f"\n| photo (POST /api/v1/ocr/extract-text, public: the OCR replica's work) | bytes "
        f"| CPU s with Tesseract (bound {PHOTO_CPU_S:g}) | peak RSS MiB, process + Tesseract "
        f"(bound {PHOTO_MIB}) | of which Tesseract | process before the photo | outcome |"
    )
    print("|---|---|---|---|---|---|---|")
    for what, size, got in photo_rows(count):
        peak = got["own_mib"] + got["tesseract_mib"]  # at most: the two need not peak together
        over = " OVER" if got["cpu_s"] > PHOTO_CPU_S else ""
        big = " OVER" if peak > PHOTO_MIB else ""
        print(
            f"| {what} | {size} | {got['cpu_s']:.2f}{over} | {peak:.0f}{big} "
            f"| {got['tesseract_mib']:.0f} | {got['before_mib']:.0f} | {got['outcome'][:70]} |",
            flush=True,
        )


if __name__ == "__main__":
    read_one_photo(sys.argv[1])
