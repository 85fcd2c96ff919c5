"""A reader of Grafana Alloy's configuration syntax, enough for monitoring/alloy/config.alloy (no
Alloy binary is installable here: no registry package provides it). Blocks
(`name.part "label" { ... }`), attributes (`key = value`), strings, numbers, booleans, lists,
objects (`{"key" = value, key = value}`) and references to other components' exports
(`loki.write.loki.receiver`, kept as Reference). Anything else is a SyntaxError, so a typo in the
file fails its test rather than being skipped."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

TOKEN = re.compile(
    r"""\s*(?:
      (?P<comment>//[^\n]*|/\*.*?\*/)
    | (?P<string>"(?:[^"\\]|\\.)*")
    | (?P<number>-?\d+(?:\.\d+)?)
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
    | (?P<punct>[{}\[\]=,])
    )""",
    re.X | re.S,
)


@dataclass(frozen=True)
class Reference:
    """An expression naming another component's export, e.g. `local.file_match.app.targets`."""

    path: str


@dataclass
class Block:
    name: str
    label: str | None
    attributes: dict[str, Any] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)

    def block(self, name: str) -> Block:
        (found,) = [b for b in self.blocks if b.name == name]
        return found


def tokens(text: str) -> list[tuple[str, str]]:
    out, at = [], 0
    while at < len(text):
        if text[at:].strip() == "":
            break
        match = TOKEN.match(text, at)
        if match is None or match.end() == at:
            raise SyntaxError(f"unexpected text at {at}: {text[at : at + 30]!r}")
        at = match.end()
        kind = match.lastgroup
        assert kind is not None
        if kind != "comment":
            out.append((kind, match.group(kind)))
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens, self.at = tokens(text), 0

    def peek(self, offset: int = 0) -> tuple[str, str]:
        at = self.at + offset
        return self.tokens[at] if at < len(self.tokens) else ("end", "")

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if value is not None and token[1] != value:
            raise SyntaxError(f"expected {value!r}, found {token[1]!r}")
        self.at += 1
        return token

    def body(self, closing: str | None) -> Block:
        """Attributes and blocks up to `closing` ("}"), or to the end of the file (None)."""
        block = Block("", None)
        while True:
            kind, text = self.peek()
            if (kind == "end" and closing is None) or (kind == "punct" and text == closing):
                return block
            if kind != "name":
                raise SyntaxError(f"expected a name, found {text or 'the end'!r}")
            self.take()
            if self.peek()[1] == "=":
                self.take("=")
                block.attributes[text] = self.value()
                continue
            label = json.loads(self.take()[1]) if self.peek()[0] == "string" else None
            self.take("{")
            inner = self.body("}")
            self.take("}")
            block.blocks.append(Block(text, label, inner.attributes, inner.blocks))

    def value(self) -> Any:
        kind, text = self.take()
        if kind == "string":
            return json.loads(text)
        if kind == "number":
            return float(text) if "." in text else int(text)
        if kind == "name":
            return {"true": True, "false": False, "null": None}.get(text, Reference(text))
        if text == "[":
            items = []
            while self.peek()[1] != "]":
                items.append(self.value())
                if self.peek()[1] == ",":
                    self.take(",")
            self.take("]")
            return items
        if text == "{":
            entries = {}
            while self.peek()[1] != "}":
                key_kind, key = self.take()
                if key_kind not in ("name", "string"):
                    raise SyntaxError(f"expected an object key, found {key!r}")
                self.take("=")
                entries[json.loads(key) if key_kind == "string" else key] = self.value()
                if self.peek()[1] == ",":
                    self.take(",")
            self.take("}")
            return entries
        raise SyntaxError(f"expected a value, found {text!r}")


def parse(text: str) -> Block:
    """The file as one unnamed block holding its components."""
    return _Parser(text).body(None)
