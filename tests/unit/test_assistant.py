"""The assistant's predictor: intents from the trained model, what the answer needs read from the
text by rules, and the app's expense-classification prompt answered with one of four words."""

from __future__ import annotations

import datetime as dt

import pytest

from deployments.assistant.offline.corpus import INTENTS, generate
from deployments.assistant.predictor import AssistantPredictor, expense_priority
from kernel.models.assistant import AssistantTuning
from testkit.factories import assistant_predictor, small_assistant_models
from tests.support.config import tuning


def test_the_corpus_covers_every_intent_evenly_and_is_seeded() -> None:
    questions = generate(11, 30)
    assert {q.intent for q in questions} == set(INTENTS)
    assert all(sum(q.intent == i for q in questions) == 30 for i in INTENTS)
    assert generate(11, 30) == questions and generate(12, 30) != questions


@pytest.mark.parametrize(
    ("prompt", "intent"),
    [("how much cash will I have next month?", "cash_outlook"),
     ("supplier ko kitna dena baaki hai", "payables"),
     ("is 27AAPFU0939F1ZV a valid GSTIN?", "gstin_check"),
     ("Invoice for Gupta Hardware: 5 tins paint @ 1250 each", "make_bill")],
)  # fmt: skip
def test_plain_questions_get_their_intent(prompt: str, intent: str) -> None:
    assert assistant_predictor().understand(prompt).intent == intent


def test_what_the_answer_needs_is_read_from_the_text() -> None:
    said = assistant_predictor().understand
    rate = said("GST on LED bulbs as of 1 Oct 2025")
    assert (rate.item, rate.on_date) == ("LED bulbs", dt.date(2025, 10, 1))
    assert said("HSN 2523 ka rate kya hai").hsn == "2523"
    assert said("verify supplier gstin 24aaacc1206d1zm").gstin == "24AAACC1206D1ZM"
    assert said("when is GSTR-3B due?").gst_return == "GSTR3B"
    assert said("cash flow kaisa rahega next 3 months").horizon_months == 3
    assert said("forecast my cash for the coming quarter").horizon_months == 3
    assert said("who owes me the most?").item is None  # read only for rate questions


@pytest.mark.parametrize(
    ("category", "word"),
    [("Shop rent", "essential"), ("Electricity bill", "essential"),
     ("Accounting software", "important"), ("Diwali gifts", "discretionary"),
     ("Movie night for staff", "non_essential"), ("Misc", "discretionary"),
     ("Qwerty", "discretionary")],
)  # fmt: skip
def test_an_expense_category_gets_one_of_the_four_words(category: str, word: str) -> None:
    prompt = f"Classify '{category}'. Return only the classification word."
    assert expense_priority(prompt) == word
    understood = assistant_predictor().understand(prompt)
    assert (understood.intent, understood.priority) == ("classify_expense", word)


def test_below_its_confidence_the_assistant_says_it_is_unsure() -> None:
    doubtful = AssistantPredictor(
        small_assistant_models(), tuning(AssistantTuning, min_intent_confidence=0.99)
    )
    understood = doubtful.understand("hmm ok")
    assert understood.intent == "unsure" and understood.confidence < 0.99


def test_calibration_compares_the_shown_confidence_with_how_often_it_was_right() -> None:
    from deployments.assistant.offline.corpus import Question
    from deployments.assistant.offline.evaluation import calibration
    from kernel.models.assistant import Understanding

    said = {"a": ("receivables", 0.9), "b": ("payables", 0.9), "c": ("unsure", 0.3)}

    class Stub:
        def understand(self, text: str) -> Understanding:
            intent, confidence = said[text]
            return Understanding(intent=intent, confidence=confidence)  # type: ignore[arg-type]

    questions = [Question("a", "receivables"), Question("b", "receivables"),
                 Question("c", "payables")]  # fmt: skip
    shown = calibration(Stub(), questions)  # type: ignore[arg-type]
    assert shown["bins"] == [
        {"bin": "0.2-0.4", "answers": 1, "confidence": 0.3, "right": 0.0},
        {"bin": "0.8-1.0", "answers": 2, "confidence": 0.9, "right": 0.5},
    ]
    assert shown["ece"] == round(1 / 3 * 0.3 + 2 / 3 * 0.4, 3)
