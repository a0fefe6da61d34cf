"""Ten years of a region's requests, each with the life it had by today: the history of its statuses, the offers
made to mediators, the appointments (a mediator is never in two at once: a bitmap of each mediator's slots), the
session reports, the evaluations, the charge to the funded project, the notifications and the read audit; the
monthly timesheets of every mediator and district with sessions; requests finished more than five years ago
anonymised, as the nightly job would have done.

Requests are generated in order of submission, in chunks copied in one transaction each (bench.pgcopy).
Times are minutes since an origin day (UTC); slots are Italian local times, turned into UTC per day.
"""

from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo

from audit.models import ReadEvent
from notifications.models import Notification
from privacy.models import Anonymisation
from reporting.models import ProjectCharge
from requests_app.models import Comment, MediationRequest, ProposedSlot, RequestCountry, RequestLanguage, StatusChange
from scheduling.models import Appointment, AppointmentSeries, Offer
from sessions_app.models import Evaluation, EvaluationScore, SessionReport
from timesheets.models import Timesheet

from .pgcopy import Table
from .region_people import LANGUAGES, OFFICE_KINDS, Region, _weighted

ROME = ZoneInfo("Europe/Rome")
H = 60
D = 24 * H
NEVER = 1 << 40
# Appointments start at 9:00, 11:00, 14:30 or 16:30 Italian time and last at most 90 minutes: two slots never
# overlap, so a mediator with one appointment per slot is never in two places at once.
SLOTS = (9 * H, 11 * H, 14 * H + 30, 16 * H + 30)
RETENTION_DAYS = 5 * 365
SETTINGS_BY_KIND = [
    ["child_protection"] * 6 + ["judicial"] * 2 + ["school"] * 2,
    ["basic_social_service"] * 6 + ["school"] * 2 + ["health"] * 2,
    ["health"] * 6 + ["basic_social_service"] * 2 + ["school"] * 2,
]
SERVICE_KINDS = ["cultural_mediation"] * 12 + ["interpreting"] * 6 + ["accompaniment"] + ["written_translation"]
SESSIONS = [1] * 30 + [2] * 25 + [3] * 20 + [4] * 12 + [5] * 8 + [6] * 5
MODES = ["in_person"] * 8 + ["phone", "video"]
HASH = "0" * 64


class Clock:
    """Minutes since an origin day, UTC; the text PostgreSQL reads; local days, weekdays and months."""

    def __init__(self, start: dt.date, today: dt.date, now: dt.datetime):
        self.origin = start - dt.timedelta(days=30)
        days = [self.origin + dt.timedelta(days=n) for n in range((today - self.origin).days + 400)]
        self.dates = days
        self.day_text = [day.isoformat() + " " for day in days]
        self.minute_text = [f"{minute // 60:02d}:{minute % 60:02d}:00+00" for minute in range(D)]
        self.offset = [int(dt.datetime.combine(d, dt.time(12), ROME).utcoffset().total_seconds()) // 60 for d in days]
        self.weekday = [day.weekday() for day in days]
        self.month = [day.year * 12 + day.month - 1 for day in days]
        origin = dt.datetime.combine(self.origin, dt.time(0), dt.UTC)
        self.now = int((now - origin).total_seconds() // 60)
        self.today = (today - self.origin).days

    def day(self, date: dt.date) -> int:
        return (date - self.origin).days

    def at(self, day: int, minute: int) -> int:
        """The UTC minute of an Italian local time."""
        return day * D + minute - self.offset[day]

    def local_day(self, minute: int) -> int:
        return (minute + self.offset[minute // D]) // D

    def text(self, minute: int) -> str:
        return self.day_text[minute // D] + self.minute_text[minute % D]


def tables_of_life() -> dict[str, Table]:
    return {
        "request": Table(
            MediationRequest,
            [
                "id",
                "office_id",
                "requester_id",
                "case_code",
                "service_kind",
                "setting",
                "preferred_gender",
                "urgency",
                "deadline",
                "adults",
                "minors",
                "goal",
                "expected_sessions",
                "session_minutes",
                "mode",
                "place",
                "sensitive_notes",
                "status",
                "assigned_mediator_id",
                "created_at",
                "updated_at",
                "submitted_at",
            ],
        ),
        "request_language": Table(RequestLanguage, ["id", "request_id", "code", "variant"]),
        "request_country": Table(RequestCountry, ["id", "request_id", "code"]),
        "proposed_slot": Table(ProposedSlot, ["id", "request_id", "starts_at", "ends_at"]),
        "status_change": Table(StatusChange, ["id", "request_id", "from_status", "to_status", "by_id", "at", "reason"]),
        "comment": Table(Comment, ["id", "request_id", "author_id", "body", "created_at"]),
        "charge": Table(ProjectCharge, ["id", "request_id", "project_id", "charged_by_id", "charged_at"]),
        "offer": Table(
            Offer,
            [
                "id",
                "request_id",
                "mediator_id",
                "status",
                "tier",
                "release_at",
                "expires_at",
                "answered_at",
                "decline_reason",
                "by_phone",
                "created_by_id",
                "created_at",
            ],
        ),
        "series": Table(
            AppointmentSeries,
            [
                "id",
                "request_id",
                "mediator_id",
                "interval_weeks",
                "first_starts_at",
                "until",
                "created_by_id",
                "created_at",
            ],
        ),
        "appointment": Table(
            Appointment,
            [
                "id",
                "request_id",
                "district_id",
                "mediator_id",
                "starts_at",
                "ends_at",
                "place",
                "mode",
                "status",
                "series_id",
                "cancel_reason",
                "cancelled_at",
                "late_cancellation",
                "created_by_id",
                "created_at",
                "updated_at",
            ],
        ),
        "report": Table(
            SessionReport,
            [
                "id",
                "appointment_id",
                "started_at",
                "ended_at",
                "mode",
                "adults_present",
                "minors_present",
                "operators_present",
                "language",
                "outcome",
                "outcome_reason",
                "travel_km",
                "travel_minutes",
                "expenses",
                "status",
                "written_by_id",
                "submitted_by_id",
                "submitted_at",
                "confirmed_by_id",
                "confirmed_at",
                "validated_by_id",
                "validated_at",
                "created_at",
                "updated_at",
            ],
        ),
        "evaluation": Table(
            Evaluation, ["id", "request_id", "side", "mediator_id", "by_id", "comment", "created_at", "updated_at"]
        ),
        "score": Table(EvaluationScore, ["id", "evaluation_id", "criterion_id", "score"]),
        "notification": Table(
            Notification,
            [
                "id",
                "recipient_id",
                "request_id",
                "kind",
                "offer_id",
                "actor_id",
                "created_at",
                "read_at",
                "emailed_at",
                "delivery",
            ],
        ),
        "read_event": Table(
            ReadEvent, ["id", "at", "user_id", "role", "kind", "object_type", "object_id", "province_id", "path_hash"]
        ),
        "anonymisation": Table(Anonymisation, ["id", "request_id", "at"]),
        "timesheet": Table(
            Timesheet,
            [
                "id",
                "mediator_id",
                "district_id",
                "month",
                "status",
                "submitted_by_id",
                "submitted_at",
                "approved_by_id",
                "approved_at",
                "created_at",
                "updated_at",
            ],
        ),
    }


def live(region: Region, rnd, *, total: int, now: dt.datetime, chunk: int, tables: dict[str, Table], copier, say):
    """Generate ``total`` requests and everything that happened to them; hand them to ``copier`` chunk by chunk."""
    clock = Clock(region.start, region.today, now)
    t = tables
    rf = rnd.random

    def rr(n: int) -> int:
        return int(rf() * n)  # random.randrange costs ten times more, and this loop draws millions

    day_text, minute_text = clock.day_text, clock.minute_text

    def text(minute: int) -> str:
        return day_text[minute // D] + minute_text[minute % D]

    NOW = clock.now
    new = {name: table.new_id for name, table in t.items()}
    rows = {name: [] for name in t}
    add = {name: rows[name].append for name in t}
    first_day = clock.day(region.start)
    workdays = [d for d in range(first_day, clock.today + 1) if clock.weekday[d] < 5]
    district_pick = _weighted(list(enumerate(region.district_weights)), 4000)
    office_pick = _weighted([(k, weight) for k, (_kind, _label, weight) in enumerate(OFFICE_KINDS)], 100)
    language_pick = _weighted([(code, weight) for code, weight, _c, _v in LANGUAGES])
    country_of = {code: countries[0] for code, _w, countries, _v in LANGUAGES}
    days_total = len(clock.dates)
    busy = bytearray((len(region.mediator_ids) * days_total * len(SLOTS)) // 8 + 1)
    n_districts = len(region.district_ids)
    first_month = clock.month[0]
    this_month = clock.month[clock.today]
    worked: set[int] = set()
    bench_series = False
    started = time.perf_counter()
    for i in range(total):
        if i and i % chunk == 0:
            copier.submit(rows)
            rows = {name: [] for name in t}
            add = {name: rows[name].append for name in t}
            if i % (10 * chunk) == 0:
                say(f"  {i:>9,} requests")
        day = workdays[i * len(workdays) // total]
        t_sub = clock.at(day, 8 * H + rr(10 * H))
        if t_sub >= NOW:
            t_sub = NOW - 5 - rr(5 * H)
        d = district_pick[int(rf() * len(district_pick))]
        p = region.district_province[d]
        k = office_pick[int(rf() * len(office_pick))]
        office = region.offices[d][k]
        workers = region.office_workers[office]
        requester = workers[0] if rf() < 0.5 else workers[rr(len(workers))]
        coordinator = region.coordinators[d][0] if rf() < 0.8 else region.coordinators[d][-1]
        candidates = region.district_mediators[d]
        # A few mediators of each district take most of its work (the first ones of its list).
        m = candidates[int(len(candidates) * rf() * rf())]
        mediator_id, mediator_user = region.mediator_ids[m], region.mediator_users[m]
        spoken = region.mediator_languages[m]
        language = spoken[rr(len(spoken))] if rf() < 0.9 else language_pick[int(rf() * len(language_pick))]
        rid = new["request"]()
        sessions = SESSIONS[rr(len(SESSIONS))]
        minutes = 90 if rf() < 0.4 else 60
        mode = MODES[rr(len(MODES))]
        urgent = rf() < 0.08
        deadline = None
        if urgent:
            deadline = clock.dates[day + 3 + rr(8)]
        elif rf() < 0.3:
            deadline = clock.dates[day + 14 + rr(60)]

        # --- When each step happened (NEVER: not by now, or not in this request's life) -----------------------------
        if NOW - t_sub < 30 * D and rf() < 0.04:
            add["request"](
                (rid, office, requester, f"C{rid:07d}", SERVICE_KINDS[rr(len(SERVICE_KINDS))],
                 SETTINGS_BY_KIND[k][rr(10)], "", "urgent" if urgent else "ordinary", deadline, 1 + rr(3), rr(4),
                 "Colloquio con la famiglia.", sessions, minutes, mode, "", "", "draft", None, text(t_sub),
                 text(t_sub), None)
            )  # fmt: skip
            add["request_language"]((new["request_language"](), rid, language, ""))
            continue
        fate = rf()
        t_acc = t_sub + 2 * H + rr(3 * D)
        rejected = fate < 0.03
        t_cancel, cancel_from = NEVER, ""
        t_rel = t_acc + 30 + rr(D)
        t_assign = t_rel + H + rr(2 * D - H)
        t_sched = t_assign + 2 * H + rr(2 * D)
        if 0.03 <= fate < 0.08:
            stage = rr(4)
            low, high, cancel_from = [
                (t_sub, t_acc, "submitted"),
                (t_acc, t_assign, "matching"),
                (t_assign, t_sched, "assigned"),
                (t_sched, t_sched + 30 * D, "scheduled"),
            ][stage]
            t_cancel = low + 1 + rr(high - low)
            if t_cancel > NOW:
                t_cancel = NEVER
        horizon = min(NOW, t_cancel)
        history = [("draft", "submitted", requester, t_sub, "")]
        status = "submitted"
        assigned = None
        charged = False
        if t_acc <= horizon:
            if rejected:
                history.append(("submitted", "rejected", coordinator, t_acc, "Non di competenza del servizio."))
                status = "rejected"
            else:
                history.append(("submitted", "matching", coordinator, t_acc, ""))
                status = "matching"
                charged = True
        appointments, offer_rows, appointment_rows, report_rows = [], [], [], []
        t_complete = t_eval = t_close = NEVER
        if status == "matching":
            # Offers: the mediator who took it, and up to two others who declined or were withdrawn.
            if t_rel <= horizon:
                expires = t_rel + 2 * D
                others = []
                for _ in range((rf() < 0.45) + (rf() < 0.15)):
                    other = candidates[rr(len(candidates))]
                    if other != m and other not in others:
                        others.append(other)
                for other in others:
                    oid = new["offer"]()
                    answered = t_rel + 20 + rr(max(1, t_assign - t_rel - 20))
                    if rf() < 0.7:
                        state, when, reason = "declined", answered, "Non disponibile in quei giorni."
                    else:
                        state, when, reason = "withdrawn", t_assign, ""
                    if when > horizon:
                        state, when, reason = ("open" if NOW < expires else "expired"), None, ""
                        if t_cancel <= NOW:
                            state = "withdrawn"
                    offer_rows.append(
                        (oid, rid, region.mediator_ids[other], state, 1, text(t_rel), text(expires),
                         text(when) if when and state == "declined" else None, reason, False, coordinator,
                         text(t_rel))
                    )  # fmt: skip
                oid = new["offer"]()
                if t_assign <= horizon:
                    state, answered = "accepted", text(t_assign)
                else:
                    state, answered = ("open" if NOW < expires else "expired"), None
                    if t_cancel <= NOW:
                        state = "withdrawn"
                offer_rows.append(
                    (oid, rid, mediator_id, state, 1, text(t_rel), text(expires), answered, "", False, coordinator,
                     text(t_rel))
                )  # fmt: skip
                add["notification"](
                    (new["notification"](), mediator_user, rid, "offer", oid, coordinator, text(t_rel),
                     text(t_rel + 30 + rr(D)) if t_rel + D < NOW else None, text(t_rel + 1), "immediate")
                )  # fmt: skip
            if t_assign <= horizon:
                history.append(("matching", "assigned", mediator_user, t_assign, ""))
                status, assigned = "assigned", mediator_id
        if status == "assigned" and t_sched <= horizon:
            history.append(("assigned", "scheduled", coordinator, t_sched, ""))
            status = "scheduled"
            appointments = _plan(
                clock, rr, busy, m, days_total, first=clock.local_day(t_sched) + 1 + rr(7), count=sessions,
                minutes=minutes,
            )  # fmt: skip
        # --- Appointments and their reports -------------------------------------------------------------------------
        series_id = None
        if (
            len(appointments) >= 4
            # (The bench's district has one at least, whatever the scale: bench/catalogue.py opens it.)
            and (rf() < 0.15 or (d == 0 and not bench_series))
            and _weekly(appointments)
        ):
            series_id = new["series"]()
            bench_series = bench_series or d == 0
            add["series"](
                (series_id, rid, mediator_id, 1, text(appointments[0][2]), clock.dates[appointments[-1][0]],
                 coordinator, text(t_sched))
            )  # fmt: skip
        last_validated = 0
        all_done = bool(appointments)
        for a_day, _slot, start, end in appointments:
            aid = new["appointment"]()
            cancel_reason, cancelled_at, late, report = "", None, False, None
            if start > t_cancel:
                a_status, cancel_reason, cancelled_at = "cancelled", "Richiesta annullata.", text(t_cancel)
            elif end > NOW:
                a_status = "planned"
                all_done = False
            else:
                roll = rf()
                if roll < 0.04:
                    a_status = "no_show"
                elif roll < 0.07:
                    a_status, cancel_reason = "cancelled", "Impegno improvviso della famiglia."
                    late = roll < 0.055
                    cancelled_at = text(start - (2 * H + rr(20 * H) if late else 2 * D + rr(3 * D)))
                else:
                    a_status = "held"
                if a_status != "cancelled" or late:
                    worked.add((m * n_districts + d) * 200 + clock.month[a_day] - first_month)
                if a_status in ("held", "no_show"):
                    report = (aid, a_status, start, end)
            appointment_rows.append(
                (aid, rid, region.district_ids[d], mediator_id, text(start), text(end),
                 "Sede del servizio" if mode == "in_person" else "", mode, a_status, series_id, cancel_reason,
                 cancelled_at, late, coordinator, text(t_sched),
                 text(min(NOW, max(t_sched, end))))
            )  # fmt: skip
            if report is None:
                continue
            submitted = end + 30 + rr(D)
            confirmed = submitted + H + rr(3 * D)
            validated = confirmed + H + rr(4 * D)
            last_validated = max(last_validated, validated)
            if submitted > NOW:
                all_done = False
                if rf() < 0.5:
                    continue  # still to write
                r_status = "draft"
            elif confirmed > NOW:
                r_status, all_done = "submitted", False
            elif validated > NOW:
                r_status, all_done = "confirmed", False
            else:
                r_status = "validated"
            held = a_status == "held"
            report_rows.append(
                (new["report"](), aid, text(start + (rr(10) if held else 0)), text(end - (rr(3) * 5 if held else 0)),
                 mode, 1 + rr(2) if held else 0, rr(3) if held else 0, 1, language,
                 "held" if held else "family_absent", "" if held else "La famiglia non si è presentata.",
                 rr(40) if mode == "in_person" else 0, rr(60) if mode == "in_person" else 0,
                 "2.50" if rf() < 0.2 else "0", r_status, mediator_user,
                 mediator_user if r_status != "draft" else None, text(submitted) if r_status != "draft" else None,
                 requester if r_status in ("confirmed", "validated") else None,
                 text(confirmed) if r_status in ("confirmed", "validated") else None,
                 coordinator if r_status == "validated" else None,
                 text(validated) if r_status == "validated" else None,
                 text(end + 30), text(min(NOW, validated)))
            )  # fmt: skip
        if status == "scheduled" and all_done and t_cancel == NEVER:
            t_complete = max(last_validated, appointments[-1][3]) + 30 + rr(2 * D)
            if t_complete <= NOW:
                history.append(("scheduled", "completed", coordinator, t_complete, ""))
                status = "completed"
                linger = rf()
                t_eval = t_complete + D + rr(20 * D) if linger >= 0.02 else NEVER
                t_close = t_eval + D + rr(25 * D) if linger >= 0.035 else NEVER
                if t_eval <= NOW:
                    history.append(("completed", "evaluated", requester, t_eval, ""))
                    status = "evaluated"
                    if t_close <= NOW:
                        history.append(("evaluated", "closed", coordinator, t_close, ""))
                        status = "closed"
        if t_cancel <= NOW and status == cancel_from:
            canceller = requester if rf() < 0.6 else coordinator
            history.append((status, "cancelled", canceller, t_cancel, "La famiglia si è trasferita."))
            status = "cancelled"
        finished_at = history[-1][3]
        anonymised = status in ("closed", "cancelled") and NOW - finished_at > RETENTION_DAYS * D

        # --- The rows -----------------------------------------------------------------------------------------------
        add["request"](
            (rid, office, requester, f"ANON-{rid}" if anonymised else f"C{rid:07d}",
             SERVICE_KINDS[rr(len(SERVICE_KINDS))], SETTINGS_BY_KIND[k][rr(10)], "",
             "urgent" if urgent else "ordinary", deadline, 1 + rr(3), rr(4),
             "" if anonymised else "Colloquio con la famiglia sul progetto educativo.", sessions, minutes, mode,
             "" if anonymised else "Sede del servizio", "", status, assigned, text(t_sub - rr(3 * H)),
             text(finished_at), text(t_sub))
        )  # fmt: skip
        add["request_language"]((new["request_language"](), rid, language, ""))
        if rf() < 0.12:
            add["request_language"]((new["request_language"](), rid, "ita" if language != "ita" else "eng", ""))
        if rf() < 0.8:
            add["request_country"]((new["request_country"](), rid, country_of.get(language, "MA")))
        if status in ("submitted", "matching"):
            for n in range(1 + (rf() < 0.5)):
                start = clock.at(clock.today + 2 + n * 3 + rr(5), SLOTS[rr(4)])
                add["proposed_slot"]((new["proposed_slot"](), rid, text(start), text(start + minutes)))
        for before, after, by, at, reason in history:
            add["status_change"](
                (new["status_change"](), rid, before, after, by, text(at), "" if anonymised else reason)
            )
        if rf() < 0.08:
            for n in range(1 + rr(3)):
                at = t_sub + H + rr(2 * D)
                if at <= NOW:
                    author = requester if n % 2 else coordinator
                    body = "" if anonymised else "Potete indicare un orario al mattino?"
                    add["comment"]((new["comment"](), rid, author, body, text(at)))
        if charged:
            project = next((pk for begin, end_, pk in region.projects[p] if begin <= clock.dates[day] <= end_), None)
            if project is not None:
                add["charge"]((new["charge"](), rid, project, coordinator, text(t_acc)))
        # Notifications: the district's coordinator hears of the request, the office of the decision.
        add["notification"](
            (new["notification"](), region.coordinators[d][0], rid, "submitted", None, requester, text(t_sub),
             text(t_sub + 30 + rr(2 * D)) if t_sub + 2 * D < NOW or rf() < 0.5 else None, text(t_sub + 1),
             "immediate")
        )  # fmt: skip
        if t_acc <= horizon:
            add["notification"](
                (new["notification"](), requester, rid, "rejected" if rejected else "accepted", None, coordinator,
                 text(t_acc), text(t_acc + 30 + rr(3 * D)) if t_acc + 3 * D < NOW or rf() < 0.5 else None,
                 text(t_acc + 1), "immediate")
            )  # fmt: skip
        if charged and rf() < 0.5:
            add["read_event"](
                (new["read_event"](), text(t_acc - rr(H)), coordinator, "coordinator", "request",
                 "requests_app.mediationrequest", rid, region.province_ids[p], HASH)
            )  # fmt: skip
        if t_eval <= NOW:
            _evaluate(add, new, rr, text, region.criteria[p], rid, "requester", mediator_id, requester, t_eval)
            t_own = t_complete + D + rr(10 * D)
            if rf() < 0.25 and t_own <= NOW:
                _evaluate(add, new, rr, text, region.criteria[p], rid, "mediator", mediator_id, mediator_user, t_own)
        if anonymised:
            # What the nightly job erases: the free text of the request's offers, appointments and reports.
            offer_rows = [row[:8] + ("",) + row[9:] for row in offer_rows]
            appointment_rows = [row[:6] + ("",) + row[7:10] + ("",) + row[11:] for row in appointment_rows]
            report_rows = [row[:10] + ("",) + row[11:] for row in report_rows]
        rows["offer"].extend(offer_rows)
        rows["appointment"].extend(appointment_rows)
        rows["report"].extend(report_rows)
        if anonymised:
            add["anonymisation"]((new["anonymisation"](), rid, text(finished_at + RETENTION_DAYS * D + rr(30) * D)))
    copier.submit(rows)
    rows = {name: [] for name in t}
    add = {name: rows[name].append for name in t}

    # --- Timesheets: every mediator's month in each district with sessions, up to last month ------------------------
    approvers = region.coordinators
    month_start = {}
    for key in worked:
        rest, month = divmod(key, 200)
        m, d = divmod(rest, n_districts)
        month += first_month
        if month >= this_month:
            continue
        if month not in month_start:
            following = month + 1
            month_start[month] = (
                dt.date(month // 12, month % 12 + 1, 1),
                clock.day(dt.date(following // 12, following % 12 + 1, 1)),
            )
        first, next_day = month_start[month]
        next_day = min(next_day, clock.today)
        submitted = clock.at(next_day, 10 * H) + rr(3 * D)
        approved = submitted + D + rr(10 * D)
        submitted = min(submitted, NOW - H)
        state = "approved" if approved <= NOW else "submitted"
        add["timesheet"](
            (new["timesheet"](), region.mediator_ids[m], region.district_ids[d], first, state,
             region.mediator_users[m], text(submitted), approvers[d][0] if state == "approved" else None,
             text(approved) if state == "approved" else None, text(submitted), text(min(approved, NOW)))
        )  # fmt: skip
    copier.submit(rows)
    return time.perf_counter() - started


def _plan(clock, rr, busy, m, days_total, *, first, count, minutes):
    """Weekly appointments of mediator ``m`` from day ``first``, each in a free slot of a working day (the next
    free one when the wanted slot is taken); a week with no free slot in three days is skipped."""
    planned = []
    slot = rr(len(SLOTS))
    base = m * days_total
    slots = len(SLOTS)
    for n in range(count):
        day = first + 7 * n
        for attempt in range(3 * slots):
            candidate = day + attempt // slots
            while clock.weekday[candidate] >= 5:
                candidate += 1
            wanted = (slot + attempt) % slots
            index = (base + candidate) * slots + wanted
            if not busy[index >> 3] & (1 << (index & 7)):
                busy[index >> 3] |= 1 << (index & 7)
                start = clock.at(candidate, SLOTS[wanted])
                planned.append((candidate, wanted, start, start + minutes))
                break
    return planned


def _weekly(appointments) -> bool:
    """Every appointment in the same slot, a week after the one before: they can be a recurring series."""
    first_day, slot = appointments[0][0], appointments[0][1]
    return all(a[1] == slot and a[0] == first_day + 7 * n for n, a in enumerate(appointments))


def _evaluate(add, new, rr, text, criteria, rid, side, mediator_id, by, at):
    eid = new["evaluation"]()
    add["evaluation"]((eid, rid, side, mediator_id, by, "", text(at), text(at)))
    for criterion in criteria:
        add["score"]((new["score"](), eid, criterion, 3 + rr(3)))
