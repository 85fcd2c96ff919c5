"""The assistant's offline code: the generated question corpus (`corpus`), training of the
intent model (`training`) and its evaluation (`evaluation`); `train` makes the artifact `fineasy
train` saves, `evaluate` the report of `fineasy evaluate --model assistant`. No replica imports
it."""

from __future__ import annotations

from collections.abc import Iterator

from deployments.assistant.offline import evaluation, training
from deployments.assistant.offline.corpus import HELD_OUT_SEED, Question
from deployments.assistant.predictor import AssistantPredictor
from deployments.offline.commands import Run, Shipped, Trained
from kernel.models.assistant import AssistantTuning


def train(version: str, businesses: int | None, shipped: Shipped) -> Trained:
    """The intent model, trained on generated questions (not on businesses), with its accuracy
    held out, as the shipped tuning answers."""
    del businesses
    models, data_hash = training.train(version)
    predictor = AssistantPredictor(models, shipped.tuning(AssistantTuning, model_version=version))
    models.metrics = {
        "accuracy_generated_held_out": _accuracy(predictor, evaluation.generated(20)),
        "accuracy_hand_written": _accuracy(predictor, evaluation.hand_written()),
        "accuracy_independent": _accuracy(predictor, evaluation.second()),
    }
    return models, models.metrics, data_hash


def _accuracy(predictor: AssistantPredictor, questions: list[Question]) -> float:
    accuracy: float = evaluation.evaluate(predictor, questions)["accuracy"]
    return accuracy


def evaluate(run: Run) -> Iterator[str]:
    """Intent accuracy per set and per intent with the confusions; then whether the confidence
    the app shows means what it says."""
    tuning = run.tuning(AssistantTuning)
    predictor = AssistantPredictor(run.payload, tuning)
    data = "deployments/assistant/data/questions_hand_written.jsonl"
    written, second = evaluation.hand_written(), evaluation.second()
    sets = {
        f"generated held-out (seed {HELD_OUT_SEED}; a check of the generator, not a measurement)": (
            evaluation.generated(20)
        ),
        f"hand-written ({data})": written,
        "independent set 2 (eval_world/assistant_second.py)": second,
        "acceptance set: hand-written + independent set 2": [*written, *second],
        "independent set 1 (eval_world/assistant.py; shaped training after its first score, "
        "0.776, so no longer unseen)": evaluation.independent(),
    }
    yield (
        f"assistant {run.manifest.version}: intent accuracy; below confidence "
        f"{tuning.min_intent_confidence} the answer is 'unsure' (counted wrong)"
    )
    for title, questions in sets.items():
        result = evaluation.evaluate(predictor, questions)
        yield f"\n{title}: {result['questions']} questions, accuracy {result['accuracy']:.3f}"
        for intent, accuracy in result["per_intent"].items():
            wrong = result["confusions"].get(intent, {})
            said = ", ".join(f"{k} {v}" for k, v in sorted(wrong.items()))
            yield f"  {intent:<16}{accuracy:>7.3f}  {said}"
    shown = evaluation.calibration(predictor, [*written, *second])
    yield (
        f"\nthe confidence /generate/response shows, on the acceptance set: expected calibration"
        f" error {shown['ece']} over {shown['answers']} answers"
    )
    for row in shown["bins"]:
        yield (
            f"  {row['bin']}: {row['answers']:>4} answers, mean confidence {row['confidence']:.3f},"
            f" right {row['right']:.3f}"
        )
