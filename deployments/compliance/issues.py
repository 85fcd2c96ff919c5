"""The issues of one check as they are found, with stable ids; and the overall status they add up
to. Pure."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

from kernel.models.compliance import ComplianceIssue, IssueType, Severity


def day_text(day: dt.date) -> str:
    return day.strftime("%d %b %Y")


def pct(rate: float) -> str:
    return f"{rate:g}%"


@dataclass
class Issues:
    invoice_id: str
    found: list[ComplianceIssue] = field(default_factory=list)

    def add(
        self,
        rule: str,
        kind: IssueType,
        severity: Severity,
        description: str,
        plain: str,
        fixes: list[str],
    ) -> None:
        digest = hashlib.sha256(f"{self.invoice_id}:{rule}:{description}".encode()).hexdigest()
        self.found.append(
            ComplianceIssue(
                id=f"ci-{digest[:12]}",
                type=kind,
                description=description,
                plain_language_explanation=plain,
                suggested_fixes=fixes,
                severity=severity,
                rule=rule,
            )
        )


def overall_status(issues: Sequence[ComplianceIssue]) -> str:
    if not issues:
        return "compliant"
    if any(i.severity == "critical" for i in issues):
        return "critical_issues"
    if all(i.type == "warning" for i in issues):
        return "warning"
    return "issues_found"
