"""Reads of privacy: the requests past retention, a mediator's own data, a mediator to erase."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.scoping import get_for_user_or_404, visible
from mediators.models import Mediator
from notifications.models import Notification
from requests_app.models import MediationRequest, Status, StatusChange
from scheduling.models import Appointment, Offer
from sessions_app.models import SessionReport

# --- Retention --------------------------------------------------------------------------------------------------------

FINISHED = (Status.CLOSED, Status.CANCELLED)


def retention_cutoff(*, now: datetime | None = None) -> datetime:
    """The moment ``RETENTION_YEARS`` before ``now`` (29 February falls back to the 28th)."""
    now = now or timezone.now()
    years = settings.RETENTION_YEARS
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return now.replace(year=now.year - years, day=28)


def requests_past_retention(*, now: datetime | None = None) -> QuerySet[MediationRequest]:
    """Closed and cancelled requests finished before the retention cut-off and not anonymised yet. A request
    finished when it entered its present status (the history row of the close or cancel); without history, at its
    last change.

    A job's read, not a person's: no user scope applies."""
    last_change = (
        StatusChange.objects.filter(request=OuterRef("pk"), to_status=OuterRef("status"))
        .order_by("-at", "-pk")
        .values("at")[:1]
    )
    return (
        MediationRequest.objects.filter(status__in=FINISHED, anonymisation__isnull=True)
        .annotate(finished_at=Coalesce(Subquery(last_change), "updated_at"))
        .filter(finished_at__lt=retention_cutoff(now=now))
    )


# --- A mediator's own data --------------------------------------------------------------------------------------------


def own_mediator(*, user) -> Mediator | None:
    """The mediator profile of the user (their own, through the scoping rule), or None."""
    return (
        visible(user, Mediator)
        .filter(user=user)
        .select_related("provider")
        .prefetch_related("districts", "languages", "countries", "trainings", "qualifications", "slots", "absences")
        .first()
    )


def mediator_for_erasure(*, user, pk) -> Mediator:
    return get_for_user_or_404(user, Mediator.objects.select_related("provider", "user"), pk=pk)


def _when(value):
    return timezone.localtime(value).isoformat() if value else None


def own_data(*, user, mediator: Mediator | None = None) -> dict:
    """What the portal holds about a mediator, for them to download: their account, profile, languages, countries,
    trainings, qualifications, availability, absences; their appointments (time, place, case code), offers, the
    session reports of their appointments and their notifications. Nobody else's personal data: no family's notes or
    counts, no other person's name. Coordinators' notes are the district's working notes and are left out.
    ``mediator``: their profile as ``own_mediator`` reads it, when the caller has it already."""
    mediator = mediator or own_mediator(user=user)
    data: dict = {
        "generated_at": _when(timezone.now()),
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "language": user.language,
            "date_joined": _when(user.date_joined),
            "last_login": _when(user.last_login),
            "roles": [
                {"role": m.role, "active": m.is_active, "since": _when(m.created_at)}
                for m in user.memberships.order_by("pk")
            ],
        },
        "profile": None,
    }
    if mediator is not None:
        data["profile"] = {
            "first_name": mediator.first_name,
            "last_name": mediator.last_name,
            "gender": mediator.gender,
            "email": mediator.email,
            "phone": mediator.phone,
            "provider": mediator.provider.name,
            "districts": sorted(d.name for d in mediator.districts.all()),
            "modes": mediator.modes(),
            "experience": mediator.settings(),
            "cultural_areas": mediator.cultural_areas,
            "max_weekly_hours": mediator.max_weekly_hours,
            "hourly_rate": str(mediator.hourly_rate),
            "travel_rate": str(mediator.travel_rate),
            "active": mediator.is_active,
            "created_at": _when(mediator.created_at),
            "updated_at": _when(mediator.updated_at),
        }
        data["languages"] = [
            {"code": x.code, "variant": x.variant, "level": x.level, "written_translation": x.written_translation}
            for x in mediator.languages.all()
        ]
        data["countries"] = [c.code for c in mediator.countries.all()]
        data["trainings"] = [
            {"title": t.title, "organised_by": t.body, "date": t.date.isoformat(), "hours": str(t.hours)}
            for t in mediator.trainings.all()
        ]
        data["qualifications"] = [
            {
                "title": q.title,
                "issued_by": q.issued_by,
                "issued_on": q.issued_on.isoformat() if q.issued_on else None,
                "expires_on": q.expires_on.isoformat() if q.expires_on else None,
            }
            for q in mediator.qualifications.all()
        ]
        data["availability"] = [
            {"weekday": s.weekday, "from": s.start_time.isoformat("minutes"), "to": s.end_time.isoformat("minutes")}
            for s in mediator.slots.all()
        ]
        data["absences"] = [
            {"from": a.start_date.isoformat(), "to": a.end_date.isoformat(), "reason": a.reason}
            for a in mediator.absences.all()
        ]
        data["appointments"] = [
            {
                "starts_at": _when(a.starts_at),
                "ends_at": _when(a.ends_at),
                "place": a.place,
                "case_code": a.request.case_code,
                "status": a.status,
            }
            for a in Appointment.objects.filter(mediator=mediator).select_related("request").order_by("starts_at")
        ]
        data["offers"] = [
            {
                "case_code": o.request.case_code,
                "status": o.status,
                "sent_at": _when(o.release_at),
                "answer_by": _when(o.expires_at),
                "answered_at": _when(o.answered_at),
                "decline_reason": o.decline_reason,
            }
            for o in Offer.objects.filter(mediator=mediator).select_related("request").order_by("release_at", "pk")
        ]
        # What the mediator reported about their own work; the family's side (who was present, sensitive notes,
        # what happened) and who validated it are other people's data.
        data["session_reports"] = [
            {
                "case_code": r.appointment.request.case_code,
                "appointment_starts_at": _when(r.appointment.starts_at),
                "started_at": _when(r.started_at),
                "ended_at": _when(r.ended_at),
                "mode": r.mode,
                "language": r.language,
                "outcome": r.outcome,
                "travel_km": str(r.travel_km),
                "travel_minutes": r.travel_minutes,
                "expenses": str(r.expenses),
                "expenses_note": r.expenses_note,
                "status": r.status,
                "written_by_me": r.written_by_id == user.pk,
                "submitted_at": _when(r.submitted_at),
                "validated_at": _when(r.validated_at),
            }
            for r in SessionReport.objects.filter(appointment__mediator=mediator)
            .select_related("appointment__request")
            .order_by("started_at", "pk")
        ]
    data["notifications"] = [
        {
            "kind": n.kind,
            "case_code": n.request.case_code if n.request_id else None,
            "created_at": _when(n.created_at),
            "read_at": _when(n.read_at),
        }
        for n in Notification.objects.filter(recipient=user).select_related("request").order_by("created_at", "pk")
    ]
    return data
