"""Reads of the public seminar. Staff reads go through accounts.scoping's ``visible()`` (404 outside the province);
the public page reads an event by its short name and shows no registration."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.scoping import get_for_user_or_404, visible

from .models import Registration, Seminar

QUERY_MAX = 100


def public_seminar(*, slug: str) -> Seminar:
    seminar = Seminar.objects.select_related("province").filter(slug=slug).first()
    if seminar is None:
        raise Http404
    return seminar


def places(seminar: Seminar) -> dict:
    """Places taken and free (confirmed people only count), and how many wait."""
    counts = seminar.registrations.aggregate(
        confirmed=Count("pk", filter=Q(status=Registration.Status.CONFIRMED)),
        waiting=Count("pk", filter=Q(status=Registration.Status.WAITING)),
        present=Count("pk", filter=Q(status=Registration.Status.CONFIRMED, checked_in_at__isnull=False)),
    )
    counts["free"] = max(0, seminar.capacity - counts["confirmed"])
    return counts


def seminars(*, user) -> QuerySet:
    return visible(user, Seminar).select_related("province").order_by("-starts_at")


def seminar(*, user, pk: int) -> Seminar:
    return get_for_user_or_404(user, Seminar.objects.select_related("province"), pk=pk)


def registration(*, user, seminar: Seminar, pk: int) -> Registration:
    return get_for_user_or_404(user, Registration.objects.filter(seminar=seminar).select_related("seminar"), pk=pk)


def registrations(*, seminar: Seminar, status: str) -> QuerySet:
    return seminar.registrations.filter(status=status).order_by("confirmed_at", "created_at", "pk")


def check_in_list(*, seminar: Seminar, query: str = "") -> QuerySet:
    """The confirmed people, by name; those matching the search (name or organisation) when there is one."""
    rows = seminar.registrations.filter(status=Registration.Status.CONFIRMED)
    query = query.replace("\x00", "").strip()[:QUERY_MAX]
    for word in query.split():
        rows = rows.filter(Q(name__icontains=word) | Q(organisation__icontains=word))
    return rows.order_by("name", "pk")


def participants_by(*, seminar: Seminar) -> dict:
    """The checked-in people counted by role and by organisation (the day's figures)."""
    present = seminar.registrations.filter(status=Registration.Status.CONFIRMED, checked_in_at__isnull=False)
    labels = dict(Registration.Role.choices)
    by_role = [
        (labels.get(row["role"], row["role"]), row["n"])
        for row in present.values("role").annotate(n=Count("pk")).order_by("-n", "role")
    ]
    organisations = Counter(" ".join(o.split()).strip() or "—" for o in present.values_list("organisation", flat=True))
    by_organisation = sorted(organisations.items(), key=lambda item: (-item[1], item[0].lower()))
    return {"by_role": by_role, "by_organisation": by_organisation}


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=zone),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
    )


def figures(province, start: date, end: date) -> dict:
    """The accountability figures of the province's seminars held from ``start`` to ``end`` (their start date):
    registrations (confirmed places, anonymised ones included), attendance (checked in), both by role. Not
    suppressed here: reporting.presenters applies the funder's rule."""
    low, high = _bounds(start, end)
    rows = Registration.objects.filter(
        seminar__province=province,
        seminar__starts_at__gte=low,
        seminar__starts_at__lt=high,
        status=Registration.Status.CONFIRMED,
    )
    by_role = {
        row["role"]: (row["registered"], row["present"])
        for row in rows.values("role").annotate(
            registered=Count("pk"), present=Count("pk", filter=Q(checked_in_at__isnull=False))
        )
    }
    seminars_held = Seminar.objects.filter(province=province, starts_at__gte=low, starts_at__lt=high).count()
    return {
        "seminars": seminars_held,
        "registrations": sum(r for r, _p in by_role.values()),
        "attendance": sum(p for _r, p in by_role.values()),
        "by_role": [
            {"role": code, "label": label, "registrations": by_role[code][0], "attendance": by_role[code][1]}
            for code, label in Registration.Role.choices
            if code in by_role
        ],
    }
