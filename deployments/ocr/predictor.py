"""OcrPredictor: a photo's bytes -> its printed lines. Plain class, no Ray import.

The artifact (OcrModels) pins the engine it was measured with: Tesseract's version and the
sha256 of each language's data. A replica whose installed Tesseract differs refuses the
artifact (ArtifactError) rather than serve readings its metrics do not describe.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from deployments.hosting.artifacts import ArtifactError
from deployments.ocr import engine
from deployments.ocr.cleanup import BadImage, clean, decode
from kernel.model_io import OcrLine, OcrResult
from kernel.tuning import OcrTuning


@dataclass
class OcrModels:
    version: str
    languages: str
    """Tesseract's -l: "eng+hin" reads English and Devanagari on one page."""
    psm: int
    """Page segmentation: 6 (one block of text) keeps a table's row on one line."""
    binarize: bool
    """Threshold before Tesseract (measured worse than Tesseract's own on blurred photos)."""
    engine: dict[str, str]
    metrics: dict[str, object] = field(default_factory=dict)


def pinned(languages: str, psm: int, binarize: bool, version: str) -> OcrModels:
    """An artifact for the Tesseract installed here."""
    return OcrModels(version, languages, psm, binarize, engine.facts(languages))


class OcrPredictor:
    def __init__(self, models: OcrModels, tuning: OcrTuning) -> None:
        try:
            installed = engine.facts(models.languages)
        except engine.EngineError as exc:
            raise ArtifactError(str(exc)) from None
        if installed != models.engine:
            changed = sorted(k for k in models.engine if installed.get(k) != models.engine[k])
            raise ArtifactError(f"the installed Tesseract differs from the artifact's: {changed}")
        self.models, self.tuning = models, tuning

    @property
    def version(self) -> str:
        return self.models.version

    def read(self, image: bytes) -> OcrResult:
        try:
            photo = decode(image, self.tuning.max_pixels)
        except BadImage as exc:
            return OcrResult(refused=str(exc), model_version=self.version)
        page = clean(photo, binarize=self.models.binarize)
        words = engine.recognise(
            page.page, self.models.languages, self.models.psm, self.tuning.timeout_s
        )
        return OcrResult(
            lines=[OcrLine(text=t, confidence=c) for t, c in engine.lines(words)],
            angle=page.angle,
            width=page.width,
            height=page.height,
            model_version=self.version,
        )
