"""The month's totals by provider (the cooperatives that employ the mediators): what each is owed for the districts
the user manages. Built on the sheets' lines of :mod:`timesheets.selectors`."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from accounts.models import Provider
from accounts.scoping import visible

from .costs import CENT, Billing, grouped_costs
from .models import Timesheet
from .selectors import managed_districts, month_lines

# --- Providers --------------------------------------------------------------------------------------------------------


@dataclass
class ProviderTotal:
    provider: Provider
    rows: list[dict] = field(default_factory=list)

    def _sum(self, key):
        return sum((row[key] for row in self.rows), Decimal(0) if key != "sessions" else 0)

    @property
    def sessions(self):
        return self._sum("sessions")

    @property
    def hours(self):
        return (Decimal(self._sum("minutes")) / 60).quantize(CENT)

    @property
    def km(self):
        return self._sum("km")

    @property
    def cost(self):
        return self._sum("cost")

    @property
    def approved_cost(self):
        return self._sum("approved_cost")


def provider_totals(*, user, month: date) -> list[ProviderTotal]:
    """What each provider is owed for a month, by district, from the appointments the user sees (a coordinator:
    their district; province staff: the province), with the part already in approved timesheets. Four queries; the
    month's lines are costed as a district's month of timesheets costs them (:func:`timesheets.costs.grouped_costs`:
    each line with the rate of its day, by the function that costs a sheet's lines) and added up per provider,
    district, mediator and billing rule."""
    districts = {d.pk: d for d in managed_districts(user=user)}
    approved = set(
        Timesheet.objects.filter(month=month, status=Timesheet.Status.APPROVED, district_id__in=districts).values_list(
            "mediator_id", "district_id"
        )
    )
    # Per provider, district, mediator (for the part approved) and billing rule: a few rows a mediator.
    rows = grouped_costs(
        visible(user, month_lines(districts, month)), ("mediator__provider_id", "district_id", "mediator_id")
    )
    totals: dict[int, dict[int, dict]] = defaultdict(dict)
    for row in rows:
        district_id = row["district_id"]
        cell = totals[row["mediator__provider_id"]].setdefault(
            district_id,
            {"district": districts[district_id], "sessions": 0, "minutes": 0, "km": Decimal(0), "cost": Decimal(0),
             "approved_cost": Decimal(0)},
        )  # fmt: skip
        if row["billing"] in (Billing.HELD, Billing.FAMILY_ABSENT):
            cell["sessions"] += row["n"]
        cell["minutes"] += int(row["total_minutes"] or 0)
        cell["km"] += row["total_km"] or 0
        cell["cost"] += row["total_cost"] or 0
        if (row["mediator_id"], district_id) in approved:
            cell["approved_cost"] += row["total_cost"] or 0
    for by_district in totals.values():
        for cell in by_district.values():
            cell["hours"] = (Decimal(cell["minutes"]) / 60).quantize(CENT)
    providers = Provider.objects.in_bulk(list(totals))
    result = []
    for provider_id, by_district in totals.items():
        total = ProviderTotal(provider=providers[provider_id])
        total.rows = sorted(by_district.values(), key=lambda cell: cell["district"].name)
        result.append(total)
    return sorted(result, key=lambda t: t.provider.name)
