"""InvoiceDeployment: the Serve shell around one InvoiceDrafter (parser, then resolver) per
replica, and nothing else. Loading (tagger + intent model), user_config and health come from
ModelHost."""

from __future__ import annotations

import datetime as dt

from ray import serve

from deployments.hosting.host import ModelHost
from deployments.invoice.parser import InvoiceModels
from deployments.invoice.resolver import InvoiceDrafter
from kernel.models.invoice import INVOICE, Catalogue, Draft, ParsedInvoice


@serve.deployment
class InvoiceDeployment(ModelHost[InvoiceDrafter]):
    seam = INVOICE
    artifact_type = InvoiceModels
    predictor_type = InvoiceDrafter

    async def draft(
        self, text: str, today: dt.date, catalogue: Catalogue, use_business_data: bool
    ) -> tuple[ParsedInvoice, Draft]:
        with self._observed("draft"):
            return await self._threaded(
                self._ready().draft, text, today, catalogue, use_business_data
            )
