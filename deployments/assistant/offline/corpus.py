"""The generated question corpus the assistant's intent model trains on: what an Indian shop owner
types into the chat, in English and Hinglish (Roman script), per intent, from templates with
slots (months, items, parties, GSTINs, periods) and the noise of a phone keyboard. Seeded; the
"make a bill" sentences come from the invoice requests the parser learns from
(deployments/offline/invoice_corpus.py). Offline: no replica imports it.

Quality is measured apart from it: on hand-written questions (deployments/assistant/data) and on
an independent set written without this module's templates or vocabulary (eval_world).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import get_args

from deployments.offline import invoice_corpus
from kernel.gstin import CHARSET, STATE_CODES, check_character
from kernel.models.assistant import LearnedIntent

INTENTS: tuple[str, ...] = get_args(LearnedIntent)
TRAIN_SEED = 3101
HELD_OUT_SEED = 3202


@dataclass(frozen=True)
class Question:
    text: str
    intent: str


MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]  # fmt: skip
WHEN_AHEAD = ["next month", "the next month", "next 3 months", "coming months", "next quarter",
              "this month end", "in {month}", "by {month}", "agle mahine", "aane wale mahino mein",
              "next 90 days", "till march", "this year end"]  # fmt: skip
PERIODS = ["this week", "this month", "last month", "last 3 months", "last quarter",
           "this year", "is hafte", "is mahine", "pichle mahine", "recently", "lately",
           "since {month}"]  # fmt: skip
ITEMS = ["cement", "TMT bars", "paint", "LED bulbs", "ceiling fan", "mobile phones", "laptops",
         "rice", "basmati rice", "sugar", "ghee", "mustard oil", "atta", "biscuits", "tea",
         "cotton fabric", "silk sarees", "readymade shirts", "shoes", "tyres", "plywood",
         "tiles", "sanitary ware", "PVC pipes", "medicines", "namkeen", "sweets", "AC",
         "refrigerator", "gold jewellery", "fertiliser", "tractor parts", "printing paper",
         "stationery", "hotel room", "restaurant food", "transport service", "repair work",
         "electrical wire", "steel almirah"]  # fmt: skip
HSN = ["2523", "7214", "3208", "8539", "8414", "8517", "1006", "1701", "0405", "5208", "6403",
       "4011", "4412", "6907", "3917", "3004", "9403"]  # fmt: skip
RATES = ["5", "12", "18", "28", "5%", "12%", "18%", "28%", "0"]
FIRST = ["Sharma", "Gupta", "Verma", "Agarwal", "Patel", "Shah", "Mehta", "Reddy", "Iyer",
         "Nair", "Khan", "Singh", "Joshi", "Kulkarni", "Das", "Banerjee", "Yadav", "Jain",
         "Bansal", "Malhotra", "Chopra", "Pillai", "Rao", "Desai", "Thakur"]  # fmt: skip
FIRMS = ["Traders", "Enterprises", "& Sons", "Hardware", "Stores", "Textiles", "Electricals",
         "Agencies", "Distributors", "Kirana", "Medicals", "Motors"]  # fmt: skip
RETURNS = ["GSTR-1", "GSTR-3B", "GSTR 3B", "gstr1", "CMP-08", "GSTR-4", "GSTR-9", "annual return",
           "gst return", "monthly return", "quarterly return", "IFF"]  # fmt: skip

TEMPLATES: dict[str, list[str]] = {
    "cash_outlook": [
        "rokad kitni rahegi {ahead}",
        "cash balance ka andaza {ahead}",
        "galla kitna rahega {ahead}",
        "loan ki zarurat padegi kya {ahead}",
        "enough money to restock {ahead}",
        "will my account go into overdraft {ahead}",
        "closing balance estimate {ahead}",
        "paisa kab tak chalega",
        "how long can i run without new sales",
        "money left after paying everyone {ahead}",
        "cash crunch aayega kya",
        "how much cash will i have {ahead}",
        "what will my bank balance be {ahead}",
        "cash flow forecast for {ahead}",
        "will i run out of cash {ahead}",
        "can i pay my bills {ahead}",
        "predict my cash {ahead}",
        "cash position {ahead}",
        "kitna paisa bachega {ahead}",
        "{ahead} cash kitna rahega",
        "paisa kam padega kya {ahead}",
        "will money be tight {ahead}",
        "expected cash in and out {ahead}",
        "is my cash flow going to be negative {ahead}",
        "cash runway kitna hai",
        "how many days of cash do i have left",
        "how long will my money last",
        "balance kitna hoga {ahead}",
        "will i have enough funds to pay rent {ahead}",
        "projected inflow and outflow {ahead}",
        "cash ka hisaab {ahead} ka batao",
        "show my cashflow outlook",
        "future cash balance",
        "liquidity {ahead}",
        "salary dene ke liye paisa hoga {ahead}",
        "what does my cash look like {ahead}",
    ],
    "receivables": [
        "vasooli kitni baaki hai",
        "lenadari ka hisaab",
        "bakaya rakam kitni hai customers pe",
        "{party} ne payment kiya kya",
        "has {party} paid yet",
        "{party} ka bakaya",
        "kisko payment reminder bhejun",
        "which buyers have not cleared their bills",
        "credit given to customers not yet received",
        "{party} se kitna lena hai",
        "udhaari waale customers",
        "khata mein kiska naam pe baaki hai",
        "receivables older than 30 days",
        "who is delaying payment",
        "who owes me the most",
        "who owes me money",
        "{party} ka kitna baaki hai",
        "how much does {party} owe me",
        "pending payments from customers",
        "outstanding receivables",
        "list of unpaid invoices",
        "which customers have not paid",
        "kis se paisa lena hai",
        "customers ka udhaar kitna hai",
        "overdue invoices {period}",
        "total amount due from customers",
        "who has not paid me {period}",
        "kitna paisa market mein fasa hai",
        "receivable ageing",
        "dues from {party}",
        "which invoices are unpaid",
        "mera paisa kis kis pe baaki hai",
        "biggest pending dues",
        "customer outstanding list",
        "kaun kaun late pay kar raha hai",
        "send me list of defaulters",
        "how much is still to be collected",
        "collection pending {period}",
        "unpaid bills of my customers",
    ],
    "payables": [
        "denadari kitni hai",
        "{party} ka bill clear karna hai",
        "wholesaler ko kitna dena hai",
        "distributor dues",
        "maal ka paisa kisko dena hai",
        "purchase ka bakaya",
        "my dues to suppliers",
        "creditors ko kitna dena",
        "company payment pending",
        "which vendor invoices are open",
        "{party} ko payment kab karna hai",
        "how much do i owe my suppliers",
        "pending supplier payments",
        "bills i have to pay",
        "supplier ko kitna dena hai",
        "{party} ko kitna paisa dena hai",
        "how much do i owe {party}",
        "unpaid purchase bills",
        "vendor dues {period}",
        "which bills are due for payment",
        "total payables",
        "kis supplier ka payment baaki hai",
        "outstanding to vendors",
        "what are my upcoming payments to suppliers",
        "purchase bills not yet paid",
        "mujhe kitna chukana hai",
        "creditors list",
        "amount payable to {party}",
        "which supplier should i pay first",
        "due payments to vendors {period}",
        "mere upar kitna udhaar hai suppliers ka",
        "pending purchase payments",
        "how much credit have suppliers given me",
        "supplier dues summary",
    ],
    "top_customers": [
        "sabse achhe khareedar",
        "who should get a loyalty discount",
        "bade order wale customers",
        "number one customer",
        "{party} mera top customer hai kya",
        "largest accounts by sales",
        "grahak jo sabse zyada maal lete hain",
        "customers sorted by purchase value",
        "who are my best customers",
        "top customers by sales",
        "top {n} customers {period}",
        "which customer buys the most",
        "sabse bada customer kaun hai",
        "mere top grahak",
        "who gives me the most business",
        "rank customers by revenue",
        "biggest buyers {period}",
        "highest paying customers",
        "kaun sabse zyada kharidta hai",
        "most valuable customers",
        "customer wise sales ranking",
        "best clients {period}",
        "top {n} parties by billing",
        "which customers bring most revenue",
        "who bought the most {period}",
        "sales by customer",
        "loyal customers list",
        "regular customers who buy most",
        "top accounts by turnover",
    ],
    "expense_trend": [
        "kharchon ka trend",
        "bijli ka bill kitna badha",
        "overheads check karo",
        "cost head eating my profit",
        "outgoings per month",
        "did spending drop {period}",
        "transport kharcha badh raha",
        "staff salary cost trend",
        "kharch pichle saal se zyada hai kya",
        "are my expenses going up",
        "expense trend {period}",
        "how much did i spend {period}",
        "kharcha kitna hua {period}",
        "kharcha badh gaya kya",
        "where is my money going",
        "biggest expenses {period}",
        "why are costs so high {period}",
        "compare expenses with last month",
        "monthly spending trend",
        "is rent increasing",
        "electricity bill badh raha hai kya",
        "expense breakdown by category",
        "spending summary {period}",
        "kharche ka hisaab {period}",
        "costs going up or down",
        "show me my expenses",
        "which expense grew the most",
        "overheads trend",
        "how much went on salaries {period}",
        "my operating costs {period}",
        "kahan zyada kharcha ho raha hai",
        "expense analysis",
    ],
    "fraud_alerts": [
        "hera pheri check karo",
        "koi shak wali entry",
        "red flags in my accounts",
        "fishy entries",
        "receipt bill se match nahi karti kya",
        "double billing hui kya",
        "doubtful transactions {period}",
        "ledger mein galti",
        "same invoice number twice",
        "night time cash withdrawals",
        "did my accountant make mistakes",
        "any suspicious bills {period}",
        "any suspicious transactions",
        "fraud alerts",
        "check for duplicate invoices",
        "duplicate bill to nahi hai",
        "koi gadbad to nahi",
        "did someone enter a bill twice",
        "payment mismatch check",
        "unusual entries {period}",
        "show fraud and error alerts",
        "double payment to supplier check",
        "is there any mistake in my books",
        "galat entry check karo",
        "suspicious payments",
        "check my books for errors",
        "any duplicate supplier bills",
        "risk alerts",
        "kuch ajeeb transactions hain kya",
        "find anomalies in my accounts",
        "was any invoice paid twice",
        "same bill do baar entry hua kya",
        "audit my entries",
    ],
    "gst_rate": [
        "{item} ka tax slab",
        "{item} 12 hai ya 18",
        "sac {hsn} rate",
        "rate of tax on {item}",
        "invoice mein {item} pe kitna gst lagana hai",
        "did gst on {item} change",
        "gst slab for {item} {asof}",
        "{item} pe kitne percent tax",
        "gst on {item}",
        "what is gst rate on {item}",
        "gst rate for {item} {asof}",
        "{item} pe kitna gst hai",
        "{item} par gst kitna lagta hai",
        "is gst on {item} {rate} now",
        "tax rate of {item}",
        "hsn {hsn} gst rate",
        "gst for hsn {hsn}",
        "kitna tax lagega {item} pe",
        "{item} ka gst rate",
        "how much gst to charge on {item}",
        "gst percentage for {item} {asof}",
        "is {item} taxed at {rate}",
        "{item} gst {rate} hai ya nahi",
        "what tax slab is {item}",
        "current gst on {item}",
        "gst rate change for {item}",
        "applicable gst on {item} sale",
    ],
    "gst_due_dates": [
        "3b ki deadline",
        "return kab tak bharna hai",
        "tax jama karne ki last date",
        "penalty se bachne ke liye kab tak file karun",
        "compliance calendar",
        "was the due date extended",
        "gst challan kab tak bharna hai",
        "filing cut off {period}",
        "when is {ret} due",
        "{ret} due date",
        "last date for {ret} {period}",
        "gst return kab file karna hai",
        "{ret} kab bharna hai",
        "gst filing deadline",
        "upcoming gst due dates",
        "remind me gst dates",
        "when to pay gst for {month}",
        "gst payment due date",
        "due date of {ret} for {month}",
        "kab tak gst jama karna hai",
        "qrmp due dates",
        "quarterly return due date",
        "next gst deadline",
        "am i late for {ret}",
        "gst calendar {period}",
        "filing dates for composition dealer",
        "when should i file {ret} this month",
        "gst return ki last date",
    ],
    "gstin_check": [
        "{gstin} kis state ka hai",
        "is {gstin} fake",
        "PAN from gstin {gstin}",
        "{gstin} galat to nahi",
        "party ka gst number {gstin} check",
        "checksum of {gstin}",
        "gstin format sahi hai {gstin}",
        "supplier ne {gstin} diya hai genuine hai kya",
        "is {gstin} a valid gstin",
        "check gstin {gstin}",
        "verify gst number {gstin}",
        "{gstin} sahi hai kya",
        "validate {gstin}",
        "gstin {gstin} check karo",
        "which state is {gstin}",
        "is this gst number correct {gstin}",
        "{gstin}",
        "whose gstin is {gstin}",
        "gst no {gstin} valid",
        "check supplier gstin {gstin}",
        "customer gstin {gstin} theek hai",
        "pan in gstin {gstin}",
        "is {gstin} registered",
        "gstin verification {gstin}",
    ],
    "help": [
        "aap kaun ho",
        "kya pooch sakta hoon",
        "instructions",
        "abilities",
        "shuru karo",
        "good evening",
        "what is this chat for",
        "sample questions",
        "hello ji",
        "help",
        "what can you do",
        "hi",
        "hello",
        "namaste",
        "how to use this",
        "menu",
        "what can i ask",
        "kya kar sakte ho",
        "madad chahiye",
        "options",
        "guide me",
        "hey there",
        "good morning",
        "what are your features",
        "how does this work",
        "examples please",
        "start",
        "who are you",
        "can you help me with my business",
        "kaise use karun",
        "features batao",
    ],
    "out_of_scope": [
        "suggest a name for my baby",
        "ipl match today",
        "convert dollars to rupees",
        "restaurant near me",
        "essay on {topic}",
        "reset my password",
        "sensex today",
        "holiday destination ideas",
        "who wrote {book}",
        "bollywood news",
        "health tips",
        "how to grow plants",
        "exam result kab aayega",
        "{topic} ke baare mein batao",
        "best car to buy",
        "what is love",
        "how to learn english",
        "movie tickets book karo",
        "what is the weather {when}",
        "who won the match {when}",
        "tell me a joke",
        "write a poem",
        "best movie to watch",
        "recipe for paneer butter masala",
        "which stock should i buy",
        "bitcoin price",
        "book a flight to {city}",
        "train to {city} timings",
        "capital of {country}",
        "translate this to french",
        "how to lose weight",
        "play some music",
        "write python code for sorting",
        "who is the prime minister",
        "news {when}",
        "cricket score",
        "horoscope for {when}",
        "how far is the moon",
        "kal mausam kaisa rahega",
        "koi gaana sunao",
        "mera wifi nahi chal raha",
        "song lyrics please",
        "shaadi ke liye hall suggest karo",
        "how to fix my laptop",
        "love advice",
        "best phone under 20000",
    ],
}
TOPICS = ["pollution", "cricket", "elections", "climate change", "yoga", "space travel", "history"]
BOOKS = ["the mahabharata", "harry potter", "gitanjali", "the constitution"]
CONTEXTS = ["", "", "", "", "", "I run a {kind} shop in {city}. ", "mera {kind} ka business hai, ",
            "we are {kind} wholesalers. ", "I have a small {kind} store. ",
            "hamari {kind} ki dukaan hai {city} mein. "]  # fmt: skip
KINDS = ["kirana", "hardware", "medical", "garments", "electronics", "sweets", "furniture",
         "auto parts", "stationery", "paint"]  # fmt: skip
CITIES = ["Delhi", "Mumbai", "Goa", "Chennai", "Kolkata", "Jaipur", "Lucknow", "Patna"]
COUNTRIES = ["France", "Japan", "Brazil", "Australia", "Canada", "Kenya"]
WHEN = ["today", "tomorrow", "yesterday", "this weekend", "tonight", "kal", "aaj"]
PREFIXES = ["", "", "", "", "please ", "pls ", "can you tell me ", "bhai ", "hey ", "sir ",
            "tell me ", "quick question: ", "ok ", "bata do ", "i want to know "]  # fmt: skip
SUFFIXES = ["", "", "", "?", "?", " please", " pls", " batao", " jaldi", "??", " for my shop",
            " thanks", " na"]  # fmt: skip


def gstin(rng: random.Random) -> str:
    state = rng.choice(sorted(STATE_CODES.values()))
    pan = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(5))
    pan += "".join(rng.choice("0123456789") for _ in range(4)) + rng.choice("ABCDEFGHJKLMNPRSTZ")
    first14 = f"{state}{pan}{rng.choice('123456789')}Z"
    if rng.random() < 0.25:  # a typo: the check character no longer matches
        return first14 + rng.choice(CHARSET)
    return first14 + check_character(first14)


def party(rng: random.Random) -> str:
    name = rng.choice(FIRST)
    return rng.choice(
        [f"{name} ji", f"{name} {rng.choice(FIRMS)}", name, f"M/s {name} {rng.choice(FIRMS)}"]
    )


def _fill(template: str, rng: random.Random) -> str:
    month = rng.choice(MONTHS)
    values = {
        "ahead": rng.choice(WHEN_AHEAD).format(month=month),
        "period": rng.choice(PERIODS).format(month=month),
        "month": month,
        "item": rng.choice(ITEMS),
        "hsn": rng.choice(HSN),
        "rate": rng.choice(RATES),
        "asof": rng.choice(
            [
                "",
                "now",
                "today",
                f"in {month} 2025",
                f"from 1 {month} 2026",
                "as of today",
                "after the new rates",
            ]
        ),
        "party": party(rng),
        "n": str(rng.choice([3, 5, 10])),
        "ret": rng.choice(RETURNS),
        "gstin": gstin(rng),
        "when": rng.choice(WHEN),
        "city": rng.choice(CITIES),
        "country": rng.choice(COUNTRIES),
        "topic": rng.choice(TOPICS),
        "book": rng.choice(BOOKS),
    }
    return " ".join(template.format(**values).split())


def _noisy(text: str, rng: random.Random) -> str:
    """A phone keyboard: casing, a dropped letter, doubled spaces gone."""
    context = rng.choice(CONTEXTS).format(kind=rng.choice(KINDS), city=rng.choice(CITIES))
    text = context + rng.choice(PREFIXES) + text + rng.choice(SUFFIXES)
    if rng.random() < 0.5:
        text = text.capitalize()
    if rng.random() < 0.1 and len(text) > 8:
        at = rng.randrange(1, len(text) - 1)
        if text[at].isalpha():
            text = text[:at] + text[at + 1 :]
    return text


def generate(seed: int, per_intent: int) -> list[Question]:
    """`per_intent` questions of each intent; bills are invoice-corpus sentences."""
    rng = random.Random(seed)
    questions = []
    for intent in INTENTS:
        if intent == "make_bill":
            bills = invoice_corpus.generate(seed, per_intent)
            questions += [Question(b.text, intent) for b in bills]
            continue
        templates = TEMPLATES[intent]
        for _ in range(per_intent):
            questions.append(Question(_noisy(_fill(rng.choice(templates), rng), rng), intent))
    rng.shuffle(questions)
    return questions
