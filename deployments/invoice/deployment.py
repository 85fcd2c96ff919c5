"""InvoiceDeployment: the Serve shell around one InvoiceParser per replica, and nothing else.
Loading (tagger + intent model), user_config and health come from ModelHost."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from ray import serve

from deployments.hosting.artifacts import ArtifactError
from deployments.hosting.host import ModelHost
from deployments.invoice.parser import InvoiceModels, InvoiceParser
from deployments.invoice.resolver import resolve
from kernel.model_io import Catalogue, Draft, ParsedInvoice
from kernel.tuning import InvoiceTuning


@serve.deployment
class InvoiceDeployment(ModelHost[InvoiceParser]):
    name = "invoice"
    tuning_type = InvoiceTuning

    def build(self, payload: Any, tuning: Any) -> InvoiceParser:
        if not isinstance(payload, InvoiceModels):
            raise ArtifactError("invoice: not an InvoiceModels bundle")
        del tuning  # the parser has no thresholds yet: the version is the whole config
        return InvoiceParser(payload)

    def retune(self, predictor: InvoiceParser, tuning: Any) -> None:
        del predictor, tuning  # nothing to tune beyond the version

    def draft(
        self, text: str, today: dt.date, catalogue: Catalogue, use_business_data: bool
    ) -> tuple[ParsedInvoice, Draft]:
        # A few ms of feature dicts and two small linear models: on the loop.
        started = time.perf_counter()
        parsed = self._ready().parse(text, today)
        draft = resolve(parsed, catalogue, today, use_business_data)
        self._observe("draft", 1, started)
        return parsed, draft
