"""The HTTP contract (fineasy_client_contract.md sections 2-3), one module per resource:
requests are validated once, here; responses use the exact keys, enum strings and ISO-8601
dates the client parses."""
