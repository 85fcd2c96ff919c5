"""An independent set of chat questions for the assistant's intent model, written apart from its
training generator (deployments/assistant/offline/corpus.py): other sentence shapes (a shop
described first, a question buried in a longer message, WhatsApp shorthand), other vocabulary
(rokad, lenadari, denadari, vasooli, bakaya, maal), other items, towns and people. No code or word
list is shared with the training side; only evaluation code reads it.

Deterministic: the same list every call, 13 questions per intent.
"""

from __future__ import annotations

import random

SHOPS = ["a kirana store in Nashik", "a hardware shop in Ludhiana", "a pharmacy in Madurai",
         "a tiles showroom in Morbi", "a garment shop in Tiruppur", "a mobile repair shop in Ranchi",
         "a sweets shop in Agra", "a tyre dealership in Hubli"]  # fmt: skip
PEOPLE = ["Bhatia uncle", "Lakshmi Stores", "Om Sai Provisions", "Naidu garu", "Fernandes Bakery",
          "Sardar Auto Works", "Ganesh Medical Hall", "Rathore Brothers"]  # fmt: skip
GOODS = ["vitrified tiles", "amoxicillin strips", "kaju katli", "school uniforms",
         "tubeless tyres", "mobile covers", "jaggery", "solar panels", "hair oil", "notebooks"]  # fmt: skip
GSTINS = ["27AAPFU0939F1ZV", "29AAGCB7383J1Z4", "06AABCU9603R1ZN", "33AAACI1681G1ZJ",
          "24AAACH7409R2Z6", "07AAACC1206D1ZM", "19AAACW0472B1ZD", "32AAHFG2211M1Z0"]  # fmt: skip

ASKS: dict[str, list[str]] = {
    "cash_outlook": [
        "I run {shop}. Will there be enough rokad to restock before Diwali?",
        "rokad ka andaaza do agle 2 mahino ka",
        "bank mein kitna bachega after paying everyone next month",
        "do you think my balance dips below zero before the season starts",
        "mujhe loan lena padega kya aane wale time mein, cash dekh ke batao",
        "estimate my money situation for the next quarter",
        "in 60 days how much liquid money will the business have",
        "will my account survive till march without a loan",
        "meri galle mein agle mahine kitni rakam hogi",
        "Sales slow hain, paisa kab tak chalega?",
        "can you project my closing balance for the coming months",
        "is the business heading towards a cash crunch",
        "aage ka cash flow prediction chahiye",
    ],
    "receivables": [
        "I run {shop}. Which of my buyers is sitting on my money the longest?",
        "vasooli kiski karni hai sabse pehle",
        "lenadari kitni hai total",
        "{person} ne payment kiya ya abhi bhi bakaya hai?",
        "give me the names of people who haven't cleared their bills",
        "how much credit have I given out that is still uncollected",
        "bakaya rakam grahakon se",
        "whose invoices crossed 30 days without payment",
        "payment reminder kisko bhejna chahiye",
        "amount receivable as of today?",
        "which parties owe more than 50k",
        "kis grahak ka hisaab saaf nahi hua",
        "pending collections list bhejo",
    ],
    "payables": [
        "I run {shop}. How much do I still have to give to my wholesalers?",
        "denadari kitni hai",
        "{person} ka bill clear karna hai kya abhi?",
        "list the distributors I haven't paid yet",
        "my dues to the companies that supply me",
        "kitna maal udhaar pe liya hua hai jiska paisa dena hai",
        "which purchase invoices are still open",
        "amount I owe to creditors right now",
        "suppliers ka bakaya kitna",
        "tell me which vendor payments are overdue",
        "total outstanding on my side for purchases",
        "company ko payment kab tak karna hai aur kitna",
        "what is pending from my end to pay",
    ],
    "top_customers": [
        "I run {shop}. Who are the five people who buy the most from me?",
        "sabse achhe khareedar kaun hain",
        "which buyers contributed the largest share of turnover",
        "mere regular aur bade customers ke naam",
        "who should I give a loyalty discount to based on purchases",
        "top party by billing amount",
        "customers ranked by how much they spent with us",
        "kaunsa grahak sabse zyada maal leta hai",
        "name my highest value accounts",
        "who is my number one customer",
        "leading customers this financial year",
        "which clients matter most by sales value",
        "bade order dene wale log kaun hain",
    ],
    "expense_trend": [
        "I run {shop}. Are my running costs climbing month after month?",
        "kharchon mein kya badlav aaya hai",
        "compare what I spent on bijli and rent this year vs last",
        "overheads thode zyada lag rahe hain, check karo",
        "which cost head is eating my profit",
        "monthly outgoings ka trend dikhao",
        "did my expenditure go down after I cut staff",
        "total spending per month for the last half year",
        "is transport cost rising",
        "mera kharch pichle saal se zyada hai kya",
        "analyse my costs",
        "paisa kahan kharch ho raha hai zyada",
        "outflow on expenses recently?",
    ],
    "fraud_alerts": [
        "I run {shop}. Can you see if my accountant entered anything twice?",
        "books mein koi hera pheri to nahi",
        "same invoice number do baar hai kya",
        "is any payment amount different from its invoice",
        "flag anything fishy in the accounts",
        "did I pay the same supplier bill two times",
        "koi shak wali entry dikhi?",
        "any red flags in this month's entries",
        "check if any receipt doesn't match the bill",
        "galti se double billing to nahi hui",
        "show me doubtful transactions",
        "anything odd with cash withdrawals at night",
        "irregularities in my ledger?",
    ],
    "gst_rate": [
        "I run {shop}. What GST do I put on {goods}?",
        "{goods} ka tax slab kya hai",
        "GST rate for {goods} as of 22 September 2025",
        "is {goods} 12 percent or 18 percent under GST",
        "tax percentage on {goods} bill mein kitna lagana hai",
        "how much GST applies to {goods}",
        "what rate should the invoice show for {goods}",
        "SAC 9954 ka rate",
        "HSN 6907 pe kitna lagta hai ab",
        "did the GST on {goods} change recently",
        "{goods} pe gst kitne percent",
        "rate of tax for {goods} sold within the state",
        "GST slab for {goods}?",
    ],
    "gst_due_dates": [
        "I run {shop}. By which date must this month's return go in?",
        "3B ki deadline kab hai",
        "GSTR1 kab tak bharna hai is baar",
        "when do I deposit the tax for last month",
        "penalty se bachne ke liye return kab tak",
        "composition scheme ka quarterly statement kab due",
        "upcoming compliance dates for GST",
        "what's the cut-off for filing gst this quarter",
        "annual return GSTR-9 last date",
        "return filing ka schedule batao",
        "when is my next GST filing due",
        "tax jama karne ki aakhri tareekh",
        "did the due date for GSTR-3B get extended",
    ],
    "gstin_check": [
        "I run {shop}. My supplier gave {gstin}, is it genuine?",
        "{gstin} is number ko check karke batao",
        "ek party ka GST no. {gstin} hai, sahi format hai?",
        "does {gstin} pass the checksum",
        "{gstin} kis state ka hai",
        "confirm gst registration {gstin}",
        "is {gstin} fake",
        "PAN nikal do is GSTIN se {gstin}",
        "validate this GST ID: {gstin}",
        "{gstin} galat to nahi",
        "buyer's GSTIN {gstin} correct?",
        "check digits of {gstin}",
        "is the gstin {gstin} properly formed",
    ],
    "make_bill": [
        "{person} ke naam bill kaat do: 6 dabba {goods} 240 ka ek",
        "prepare an invoice, {person}, 30 pcs {goods} @ 85",
        "bill for {person} - 2 sets {goods} 1500 each, 18% gst",
        "invoice {person} 10 {goods} at Rs 320, payment by cheque",
        "{person} ko 4 carton {goods} 900 rs carton ka bill",
        "make invoice to {person} for 12 {goods} priced 45 each",
        "generate bill: customer {person}, item {goods}, qty 7, rate 210",
        "{person} - {goods} x 25 @ 60/-",
        "ek bill banao {person} ke liye, 3 {goods} 1100 wala",
        "raise invoice on {person} for 100 {goods} at 12 rupees",
        "{person} ka invoice bana do 8 {goods} 499 each, due in 15 days",
        "please bill {person} 2 {goods} @ 2,350",
        "new bill {person} 5 kg {goods} 180 per kg",
    ],
    "help": [
        "hello ji",
        "I run {shop}. What sort of things can you answer?",
        "aap kaun ho aur kya karte ho",
        "start karo",
        "how can you help a small trader like me",
        "list your abilities",
        "kuch example sawal batao",
        "good evening assistant",
        "what questions do you understand",
        "instructions please",
        "help me get started",
        "main kya pooch sakta hoon",
        "hey, what's this chat for",
    ],
    "out_of_scope": [
        "I run {shop}. Can you suggest a good name for my daughter?",
        "IPL mein aaj kaun khel raha hai",
        "convert 100 dollars to euros",
        "what's a good biryani place near me",
        "essay on pollution in 200 words",
        "how do I reset my gmail password",
        "Sensex kitna gira aaj",
        "which is better, iphone or samsung",
        "suggest a holiday destination in december",
        "who wrote the ramayana",
        "bollywood gossip batao",
        "mera bp high hai kya khana chahiye",
        "how to grow tomatoes on a terrace",
    ],
}


def independent_questions() -> list[tuple[str, str]]:
    """(question, intent), 13 per intent, the slots filled from this module's own lists."""
    rng = random.Random(9407)
    out = []
    for intent, asks in ASKS.items():
        for ask in asks:
            text = ask.format(
                shop=rng.choice(SHOPS),
                person=rng.choice(PEOPLE),
                goods=rng.choice(GOODS),
                gstin=rng.choice(GSTINS),
            )
            out.append((text, intent))
    return out
