"""OcrPredictor: a photo's bytes -> its printed lines. Plain class, no Ray import.

The artifact (OcrModels) pins the engine it was measured with: Tesseract's version and the
sha256 of each language's data. A replica whose installed Tesseract differs refuses the
artifact (ArtifactError) rather than serve readings its metrics do not describe.

Worst case: `tuning.timeout_s` (9 s in config/serve.yaml) for the whole reading, after which
Tesseract is killed and the photo refused with the reason; memory as cleanup.py holds it (every
image at most 6 million pixels) plus Tesseract's own on that page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from deployments.hosting.artifacts import ArtifactError
from deployments.ocr import engine
from deployments.ocr.cleanup import BadImage, clean, decode
from kernel import work
from kernel.models.ocr import OcrLine, OcrResult, OcrTuning


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
        """The photo's lines; a refusal (why, for the caller) for what is not a readable photo,
        and for one that takes longer than `tuning.timeout_s` to read in all (cleanup and
        Tesseract: a photo of noise or of pages of tiny print), which Tesseract is killed for."""
        limit = self.tuning.timeout_s
        try:
            with work.within(limit) as budget:
                photo = decode(image, self.tuning.max_pixels)
                page = clean(photo, binarize=self.models.binarize)
                words = engine.recognise(
                    page.page, self.models.languages, self.models.psm, max(budget.left(), 0.0)
                )
        except BadImage as exc:
            return OcrResult(refused=str(exc), model_version=self.version)
        except (work.OutOfTime, engine.EngineTimeout) as exc:
            seconds = exc.seconds if isinstance(exc, work.OutOfTime) else limit
            reason = (
                f"reading it took longer than {seconds:g} s (a photo of the bill alone, closer, "
                "reads faster)"
            )
            return OcrResult(refused=reason, model_version=self.version)
        return OcrResult(
            lines=[OcrLine(text=t, confidence=c) for t, c in engine.lines(words)],
            angle=page.angle,
            width=page.width,
            height=page.height,
            model_version=self.version,
        )
