"""Training of the assistant's intent model on the generated question corpus. Offline: no replica
imports it."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from deployments.assistant.offline import corpus
from deployments.assistant.predictor import AssistantModels

PER_INTENT = 400


def fit(questions: Sequence[corpus.Question], version: str) -> AssistantModels:
    """Words and word pairs carry the meaning; character n-grams within words carry Hinglish
    spellings and typos ("kharcha", "kharcha", "kharchaa")."""
    features = FeatureUnion(
        [
            ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2)),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True,
                                      min_df=2)),
        ]
    )  # fmt: skip
    model = Pipeline([("features", features), ("model", LogisticRegression(C=5.0, max_iter=3000))])
    model.fit([q.text.lower() for q in questions], [q.intent for q in questions])
    return AssistantModels(version, model)


def train(version: str, per_intent: int = PER_INTENT) -> tuple[AssistantModels, str]:
    questions = corpus.generate(corpus.TRAIN_SEED, per_intent)
    digest = hashlib.sha256("\n".join(q.text for q in questions).encode()).hexdigest()
    return fit(questions, version), digest
