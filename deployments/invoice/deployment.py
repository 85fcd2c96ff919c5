"""InvoiceDeployment: the Serve shell around one InvoiceParser per replica, and nothing else.
Loading (tagger + intent model), user_config and health come from ModelHost."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ray import serve

from deployments.hosting.host import ModelHost
from deployments.invoice.parser import InvoiceModels, InvoiceParser
from deployments.invoice.resolver import draft
from kernel.model_io import Catalogue, Draft, ParsedInvoice
from kernel.tuning import InvoiceTuning


@serve.deployment
class InvoiceDeployment(ModelHost[InvoiceParser]):
    name = "invoice"
    tuning_type = InvoiceTuning
    artifact_type = InvoiceModels
    predictor_type = InvoiceParser

    @staticmethod
    def held_out_accuracy(metrics: dict[str, Any]) -> float | None:
        """Field F1 on the held-out generated prompts, averaged over the fields."""
        f1 = metrics.get("f1_generated_held_out")
        return sum(f1.values()) / len(f1) if isinstance(f1, dict) and f1 else None

    async def draft(
        self, text: str, today: dt.date, catalogue: Catalogue, use_business_data: bool
    ) -> tuple[ParsedInvoice, Draft]:
        with self._observed("draft"):
            return await self._threaded(
                draft, self._ready(), text, today, catalogue, use_business_data
            )
