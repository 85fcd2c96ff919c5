"""Training of the invoice tagger (a linear-chain CRF) and the intent classifier on the generated
corpus. Offline: no replica imports it."""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pycrfsuite
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from deployments.invoice.parser import InvoiceModels, crf_features
from deployments.offline import invoice_corpus


def fit(
    examples: Sequence[invoice_corpus.Example],
    intents: Sequence[tuple[str, str]],
    version: str,
    max_iterations: int = 150,
) -> InvoiceModels:
    trainer = pycrfsuite.Trainer(verbose=False)
    for example in examples:
        trainer.append(crf_features(example.tokens), example.tags)
    trainer.set_params(
        {"c1": 0.1, "c2": 0.01, "max_iterations": max_iterations,
         "feature.possible_transitions": True}
    )  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tagger.crfsuite"
        trainer.train(str(path))
        tagger = path.read_bytes()
    intent = Pipeline(
        [
            (
                "features",
                TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True),
            ),
            ("model", LogisticRegression(C=10.0, max_iter=2000)),
        ]
    )
    intent.fit([t.lower() for t, _ in intents], [label for _, label in intents])
    return InvoiceModels(version, tagger, intent)


def train(
    version: str, examples: int = 5000, max_iterations: int = 150
) -> tuple[InvoiceModels, str]:
    corpus = invoice_corpus.generate(invoice_corpus.TRAIN_SEED, examples)
    intents = invoice_corpus.intent_examples(invoice_corpus.TRAIN_SEED + 7, 600)
    models = fit(corpus, intents, version, max_iterations)
    digest = hashlib.sha256("\n".join(e.text for e in corpus).encode()).hexdigest()
    return models, digest
