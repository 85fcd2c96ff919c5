"""Where the checkout is: the default home of the models, the SQLite file and the logs."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
