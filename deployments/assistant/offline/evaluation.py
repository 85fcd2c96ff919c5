"""Intent accuracy of the assistant: on held-out generated questions (a seed no training used: a
unit check of the generator, not a measurement), on questions written by hand
(deployments/assistant/data, committed once) and on the independent set (eval_world), which no
training code reads. Pure."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from deployments.assistant.offline import corpus
from deployments.assistant.predictor import AssistantPredictor
from eval_world.assistant import independent_questions
from eval_world.assistant_second import second_questions

DATA = Path(__file__).parents[1] / "data"


def hand_written() -> list[corpus.Question]:
    lines = (DATA / "questions_hand_written.jsonl").read_text(encoding="utf-8").splitlines()
    return [corpus.Question(**json.loads(line)) for line in lines if line.strip()]


def independent() -> list[corpus.Question]:
    return [corpus.Question(text, intent) for text, intent in independent_questions()]


def second() -> list[corpus.Question]:
    """The measurement: written after the first independent set had shaped training."""
    return [corpus.Question(text, intent) for text, intent in second_questions()]


def generated(per_intent: int) -> list[corpus.Question]:
    return corpus.generate(corpus.HELD_OUT_SEED, per_intent)


def evaluate(predictor: AssistantPredictor, questions: Sequence[corpus.Question]) -> dict[str, Any]:
    """Accuracy overall and per intent, and the confusions (gold -> said: count)."""
    right: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    confused: dict[str, Counter[str]] = defaultdict(Counter)
    for question in questions:
        said = predictor.understand(question.text).intent
        seen[question.intent] += 1
        if said == question.intent:
            right[question.intent] += 1
        else:
            confused[question.intent][said] += 1
    return {
        "questions": len(questions),
        "accuracy": round(sum(right.values()) / max(len(questions), 1), 4),
        "per_intent": {i: round(right[i] / seen[i], 4) for i in sorted(seen)},
        "confusions": {gold: dict(c) for gold, c in sorted(confused.items())},
    }


def calibration(
    predictor: AssistantPredictor, questions: Sequence[corpus.Question], bins: int = 5
) -> dict[str, Any]:
    """Whether the confidence /generate/response shows means what it says: per equal-width bin,
    the answers' mean confidence against the share that were right ("unsure" counts wrong),
    and the expected calibration error (their gap, weighted by the answers in each bin). The
    app's classification prompt (confidence 1 by rule) is left out."""
    said = [(predictor.understand(q.text), q.intent) for q in questions]
    pairs = [(u.confidence, u.intent == gold) for u, gold in said if u.intent != "classify_expense"]
    rows, gap = [], 0.0
    for k in range(bins):
        low, high = k / bins, (k + 1) / bins
        inside = [(c, ok) for c, ok in pairs if low < c <= high or (k == 0 and c == 0.0)]
        if not inside:
            continue
        confidence = sum(c for c, _ in inside) / len(inside)
        right = sum(ok for _, ok in inside) / len(inside)
        gap += len(inside) / len(pairs) * abs(confidence - right)
        rows.append({"bin": f"{low:.1f}-{high:.1f}", "answers": len(inside),
                     "confidence": round(confidence, 3), "right": round(right, 3)})  # fmt: skip
    return {"answers": len(pairs), "ece": round(gap, 3), "bins": rows}
