"""Hindi in Devanagari, read as the Hinglish the tagger learned: the words that carry an
invoice's structure (को, का, रुपये, किलो, बोरी, नकद, उधार, दिन में...) mapped to the Latin
words shop owners type for them, and every other word (names, items) transliterated letter by
letter, so the tagger sees "sharma tredars ko 10 bori" where the owner wrote "शर्मा ट्रेडर्स
को 10 बोरी". The names it picks are returned in the owner's own script. Pure.

Worst case, linear in the word: one lexicon lookup, or one pass over its letters looking two
ahead (a nukta, then a vowel sign); vowel signs and combining marks in any number cost one step
each."""

from __future__ import annotations

import re

DEVANAGARI_WORD = r"[\u0900-\u0963\u0971-\u097F]+"

LEXICON = {
    "को": "ko", "का": "ka", "के": "ke", "की": "ki", "लिए": "liye", "से": "se", "में": "mein",
    "मे": "me", "और": "aur", "एवं": "aur", "प्रति": "per", "भाव": "bhav", "दर": "rate",
    "रुपये": "rupees", "रुपए": "rupees", "रुपया": "rupees", "रु": "rs", "रू": "rs",
    "बिल": "bill", "बनाओ": "banao", "बनाइए": "banao", "बना": "bana", "दो": "do", "दें": "do",
    "इनवॉइस": "invoice", "चालान": "bill", "किलो": "kilo", "ग्राम": "gram", "लीटर": "litre",
    "मीटर": "metre", "बोरी": "bori", "बोरे": "bori", "पैकेट": "packet", "डिब्बा": "box",
    "डिब्बे": "box", "दर्जन": "dozen", "नग": "pcs", "पीस": "pcs", "पत्ते": "strip",
    "पत्ता": "strip", "थान": "roll", "क्विंटल": "quintal", "टन": "tonne",
    "नकद": "cash", "नगद": "cash", "कैश": "cash", "उधार": "udhaar", "उधारी": "udhaar",
    "यूपीआई": "upi", "चेक": "cheque", "कार्ड": "card", "भुगतान": "payment",
    "जीएसटी": "gst", "टैक्स": "tax", "कर": "tax", "छूट": "discount", "डिस्काउंट": "discount",
    "दिन": "din", "हफ्ते": "hafte", "महीने": "mahine", "बाद": "baad", "तक": "tak",
    "एक": "ek", "प्रत्येक": "each", "हर": "each", "जी": "ji", "भाई": "bhai", "साहब": "sahab",
    "दीदी": "didi", "एंड": "and", "संस": "sons",
}  # fmt: skip
"""Structure words as the corpus spells them (rupees, not rupaye; litre, not leetar)."""

VOWELS = {
    "अ": "a", "आ": "aa", "इ": "i", "ई": "ee", "उ": "u", "ऊ": "oo", "ऋ": "ri", "ए": "e",
    "ऐ": "ai", "ओ": "o", "औ": "au", "ऑ": "o",
}  # fmt: skip
SIGNS = {
    "ा": "a", "ि": "i", "ी": "ee", "ु": "u", "ू": "oo", "ृ": "ri", "े": "e", "ै": "ai",
    "ो": "o", "ौ": "au", "ॉ": "o", "ं": "n", "ँ": "n", "ः": "h",
}  # fmt: skip
CONSONANTS = {
    "क": "k", "ख": "kh", "ग": "g", "घ": "gh", "ङ": "n", "च": "ch", "छ": "chh", "ज": "j",
    "झ": "jh", "ञ": "n", "ट": "t", "ठ": "th", "ड": "d", "ढ": "dh", "ण": "n", "त": "t",
    "थ": "th", "द": "d", "ध": "dh", "न": "n", "प": "p", "फ": "ph", "ब": "b", "भ": "bh",
    "म": "m", "य": "y", "र": "r", "ल": "l", "व": "v", "श": "sh", "ष": "sh", "स": "s",
    "ह": "h", "ड़": "d", "ढ़": "dh", "क़": "q", "ख़": "kh", "ग़": "g", "ज़": "z", "फ़": "f",
}  # fmt: skip
VIRAMA, NUKTA = "्", "़"


def transliterate(word: str) -> str:
    """Letter by letter, with the inherent "a" after a consonant dropped at the end of a word
    and before a vowel sign or virama ("शर्मा" -> "sharma", "ट्रेडर्स" -> "tredars")."""
    out: list[str] = []
    letters = list(word)
    for i, ch in enumerate(letters):
        if ch == NUKTA:
            continue
        nxt = letters[i + 1] if i + 1 < len(letters) else ""
        if ch in CONSONANTS or (nxt == NUKTA and ch + NUKTA in CONSONANTS):
            out.append(CONSONANTS.get(ch + NUKTA if nxt == NUKTA else ch, ""))
            after = letters[i + 2] if nxt == NUKTA and i + 2 < len(letters) else nxt
            if after and after not in SIGNS and after != VIRAMA:
                out.append("a")
        elif ch in VOWELS:
            out.append(VOWELS[ch])
        elif ch in SIGNS:
            out.append(SIGNS[ch])
    text = "".join(out)
    if text.endswith("a") and len(text) > 2 and word[-1] in CONSONANTS:
        text = text[:-1]
    return text[:-2] + "i" if text.endswith("ee") else text  # देवी: devi


def romanize(token: str) -> str:
    """A Devanagari token as the tagger reads it; any other token unchanged."""
    if not re.fullmatch(DEVANAGARI_WORD, token):
        return token
    return LEXICON.get(token) or transliterate(token)


def has_devanagari(text: str) -> bool:
    return re.search(DEVANAGARI_WORD, text) is not None
