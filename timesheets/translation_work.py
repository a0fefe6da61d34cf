"""Translation work of the mini-guide as timesheet hours, where the province wants it
(:class:`timesheets.models.ProvinceTimesheetSettings`): the approved translation tasks of a month, read through
``guide.selectors`` (the guide is below the timesheets and never imports them), with the hours the translator spent,
at the translator's provider's hourly rate valid on the day of approval. :mod:`timesheets.selectors` puts them in
the sheets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import caches
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _

from guide import selectors as guide_selectors
from guide.models import TranslationTask
from mediators.languages import language_name

from .costs import CENT
from .models import ProvinceTimesheetSettings, Rate
from .months import month_bounds

ROME = ZoneInfo(settings.TIME_ZONE)


@dataclass
class TranslationLine:
    """An approved translation task of the mini-guide, counted in its translator's month where the province wants it
    (ProvinceTimesheetSettings): the day of approval, the hours the translator spent, at the provider's hourly rate
    valid that day (None without one, like a session)."""

    task: TranslationTask
    day: date
    hours: Decimal
    hourly_rate: Decimal | None

    @property
    def cost(self) -> Decimal | None:
        if self.hourly_rate is None:
            return None
        return (self.hours * self.hourly_rate).quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def label(self) -> str:
        task = self.task
        what = task.entry.service.name if task.entry_id else _("introduction and categories")
        return _("Translation of the mini-guide: %(what)s (%(language)s)") % {
            "what": what,
            "language": language_name(task.language, label=False),
        }


def counting_provinces() -> list[int]:
    """The provinces whose timesheets count translation work: read once, then from the shared cache until a setting
    changes (one query fewer on every timesheet page of the provinces that do not)."""
    cache = caches["shared"]
    ids = cache.get(ProvinceTimesheetSettings.COUNTING_KEY)
    if ids is None:
        ids = list(
            ProvinceTimesheetSettings.objects.filter(counts_translation_work=True).values_list("province_id", flat=True)
        )
        cache.set(ProvinceTimesheetSettings.COUNTING_KEY, ids, 300)
    return ids


def translation_work(*, month: date, mediator_ids=None, district_ids=None) -> list[TranslationLine]:
    """The translation work of a month that the provinces count as hours (one query; none when no province does):
    tasks approved in the month (Europe/Rome) with the hours spent, of provinces whose setting says so, priced at
    the translator's provider's rate valid on the day of approval. Each task's ``sheet_district_id`` says which sheet
    it belongs to."""
    counting = counting_provinces()
    if not counting:
        # Most provinces count sessions only: nothing to read.
        return []
    start, end = month_bounds(month)
    rates = (
        Rate.objects.filter(provider_id=OuterRef("translator__provider_id"), valid_from__lte=OuterRef("approval_day"))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=OuterRef("approval_day")))
        .order_by("-valid_from")
        .values("hourly_rate")[:1]
    )
    rows = (
        guide_selectors.approved_translation_work(mediator_ids=mediator_ids, approved_from=start, approved_until=end)
        .filter(province_id__in=counting)
        .annotate(approval_day=TruncDate("approved_at", tzinfo=ROME))
        .annotate(hourly_rate=Subquery(rates))
        .select_related("translator__provider")
    )
    if district_ids is not None:
        rows = rows.filter(sheet_district_id__in=list(district_ids))
    return [
        TranslationLine(task=row, day=row.approval_day, hours=row.hours_spent, hourly_rate=row.hourly_rate)
        for row in rows
    ]


def attach_translation_work(sheets: dict, work: list[TranslationLine]) -> None:
    """Each translation line into the sheet of its (translator, district), where that sheet is among these."""
    for line in work:
        sheet = sheets.get((line.task.translator_id, line.task.sheet_district_id))
        if sheet is not None:
            sheet.translation_lines.append(line)
