"""Checks of the client contract's conventions shared by the HTTP tests."""

from __future__ import annotations

import re

import httpx

# What Dart's DateTime.parse accepts, with an explicit UTC designator.
ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")


def assert_error(response: httpx.Response, status: int, code: str) -> None:
    """The error shape every 4xx/5xx has: {"message", "code", "details"}, JSON, no traceback."""
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert isinstance(body["message"], str) and body["code"] == code and "details" in body
    assert "Traceback" not in response.text
