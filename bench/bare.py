# ruff: noqa: S608 - constant SQL fragments of this file, parameters through psycopg
"""Bare-SQL views of the region benchmark: for each list page, ONE hand-written query returning the rows of the page's
main list; for a detail page, the object and each list the page shows with it (a request's history, comments, offers
and appointments; a mediator's languages, districts, trainings...), one hand-written query each: the same rows the
page shows. Rendered as a minimal HTML table. The page's throughput is measured as a
ratio to its bare view's, served by the same server in the same run (bench/pages.py).

Only in the bench's URLconf (bench.urls, bench.settings): they read without a login or a scope check, taking the
scope's ids from the address. Never part of the portal.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.http import Http404, HttpResponse
from django.utils.html import escape

from requests_app.models import OPEN_STATUSES

_LANGUAGES = (
    "(SELECT string_agg(l.code || CASE WHEN l.variant <> '' THEN ' · ' || l.variant ELSE '' END, ', ' "
    "ORDER BY l.id) FROM requests_app_requestlanguage l WHERE l.request_id = r.id)"
)
_REQUEST_ROW = f"""
    SELECT r.id, r.case_code, o.name, d.name, {_LANGUAGES}, r.service_kind, r.setting, r.urgency, r.deadline, r.status,
           (SELECT count(*) FROM scheduling_offer f WHERE f.request_id = r.id AND f.status <> 'queued'),
           (SELECT count(*) FROM scheduling_offer f WHERE f.request_id = r.id AND f.answered_at IS NOT NULL),
           m.first_name || ' ' || m.last_name, r.submitted_at, r.created_at
    FROM requests_app_mediationrequest r
    JOIN accounts_office o ON o.id = r.office_id
    JOIN accounts_district d ON d.id = o.district_id
    LEFT JOIN mediators_mediator m ON m.id = r.assigned_mediator_id
"""
_QUEUE_ORDER = "ORDER BY (r.urgency <> 'urgent'), r.deadline, r.submitted_at, r.id"
_MEDIATOR_LANGUAGES = (
    "(SELECT string_agg(l.code || CASE WHEN l.variant <> '' THEN ' · ' || l.variant ELSE '' END, ', ' "
    "ORDER BY l.code, l.variant) FROM mediators_mediatorlanguage l WHERE l.mediator_id = m.id)"
)
_MEDIATOR_DISTRICTS = (
    "(SELECT string_agg(d.name, ', ' ORDER BY d.name) FROM mediators_mediator_districts md "
    "JOIN accounts_district d ON d.id = md.district_id WHERE md.mediator_id = m.id)"
)
# A roster row: the page's columns (name, provider, gender, languages, districts, modes, state).
_MEDIATOR_ROW = f"""
    SELECT m.id, m.last_name, m.first_name, m.gender, m.email, m.phone, p.name, {_MEDIATOR_LANGUAGES},
           {_MEDIATOR_DISTRICTS}, m.mode_in_person, m.mode_phone, m.mode_video, m.is_active, m.updated_at
    FROM mediators_mediator m JOIN accounts_provider p ON p.id = m.provider_id
"""
_APPOINTMENT_ROW = """
    SELECT a.id, a.starts_at, a.ends_at, a.status, a.mode, a.place, r.case_code, o.name,
           m.first_name || ' ' || m.last_name,
           (SELECT string_agg(l.code, ', ' ORDER BY l.id) FROM requests_app_requestlanguage l
            WHERE l.request_id = r.id)
    FROM scheduling_appointment a
    JOIN requests_app_mediationrequest r ON r.id = a.request_id
    JOIN accounts_office o ON o.id = r.office_id
    JOIN accounts_district d ON d.id = a.district_id
    JOIN mediators_mediator m ON m.id = a.mediator_id
"""
_CALENDAR = "AND a.starts_at < %(end)s AND a.ends_at > %(start)s AND a.status <> 'void' ORDER BY a.starts_at, a.id"
_REPORT_ROW = """
    SELECT s.id, s.started_at, s.ended_at, s.status, s.outcome, s.travel_km, s.validated_at, r.case_code, o.name,
           d.name, m.first_name || ' ' || m.last_name
    FROM sessions_app_sessionreport s
    JOIN scheduling_appointment a ON a.id = s.appointment_id
    JOIN requests_app_mediationrequest r ON r.id = a.request_id
    JOIN accounts_office o ON o.id = r.office_id
    JOIN accounts_district d ON d.id = o.district_id
    JOIN mediators_mediator m ON m.id = a.mediator_id
"""
_RECENT = "AND s.status = 'validated' AND s.validated_at >= now() - interval '60 days'"


def _reports_page(scope: str, *lists: str, requests: str = "", appointments: str = "") -> list[str]:
    """The lists of a role's reports page (sessions_app.selectors.work_lists), each as the page reads it: what the
    role has to do (up to 100 rows a list) and the latest validated reports (20, of the last 60 days)."""
    owes = "(s.id IS NULL OR s.status IN ('draft', 'sent_back')) AND a.starts_at <= now()"
    # As the page reads them: the ids of the first 100 of each way an appointment owes a report, then the rows.
    parts = [
        "SELECT a.id FROM scheduling_appointment a JOIN requests_app_mediationrequest r ON r.id = a.request_id "
        "JOIN accounts_office o ON o.id = r.office_id "
        "LEFT JOIN sessions_app_sessionreport s ON s.appointment_id = a.id "
        f"WHERE {appointments or scope} AND {owes} AND {status} ORDER BY a.starts_at, a.id LIMIT 100"
        for status in (
            "a.status = 'planned'",
            "a.status = 'cancelled' AND a.late_cancellation",
            "a.status IN ('held', 'no_show') AND s.status IN ('draft', 'sent_back')",
        )
    ]
    to_write = (
        f"{_APPOINTMENT_ROW} WHERE a.id IN ("
        + " UNION ALL ".join(f"({part})" for part in parts)
        + ") ORDER BY a.starts_at, a.id LIMIT 100"
    )
    queries = {
        "to_write": to_write,
        "to_confirm": f"{_REPORT_ROW} WHERE {scope} AND s.status = 'submitted' ORDER BY s.started_at, s.id LIMIT 100",
        "to_validate": f"{_REPORT_ROW} WHERE {scope} AND s.status IN ('submitted', 'confirmed') "
        "ORDER BY s.started_at, s.id LIMIT 100",
        "office_to_evaluate": "SELECT r.id, r.case_code, r.status, r.updated_at, o.name "
        "FROM requests_app_mediationrequest r JOIN accounts_office o ON o.id = r.office_id "
        f"WHERE {requests or scope} AND r.status = 'completed' AND NOT EXISTS (SELECT 1 FROM sessions_app_evaluation e "
        "WHERE e.request_id = r.id AND e.side = 'requester') ORDER BY r.updated_at, r.id LIMIT 100",
        "mediator_to_evaluate": "SELECT r.id, r.case_code, r.status, r.updated_at, o.name "
        "FROM requests_app_mediationrequest r JOIN accounts_office o ON o.id = r.office_id "
        f"WHERE {requests or scope} AND r.status IN ('completed', 'evaluated') AND NOT EXISTS (SELECT 1 FROM "
        "sessions_app_evaluation e WHERE e.request_id = r.id AND e.side = 'mediator') "
        "ORDER BY r.updated_at, r.id LIMIT 100",
        "recent": f"{_REPORT_ROW} WHERE {scope} {_RECENT} ORDER BY s.validated_at DESC, s.id DESC LIMIT 20",
    }
    return [queries[name] for name in lists]


_MONTH_SESSIONS = """
    FROM scheduling_appointment a
    JOIN requests_app_mediationrequest r ON r.id = a.request_id
    JOIN accounts_office o ON o.id = r.office_id
    JOIN mediators_mediator m ON m.id = a.mediator_id
    LEFT JOIN sessions_app_sessionreport s ON s.appointment_id = a.id
    WHERE a.starts_at >= %(start)s AND a.starts_at < %(end)s AND a.status <> 'void'
"""

# The provider's rate of an appointment's day (alias rt: hourly and km rates), for the appointment a of the mediator m.
_RATE_OF_THE_DAY = """LEFT JOIN LATERAL (
            SELECT rt.hourly_rate, rt.km_rate FROM timesheets_rate rt
            WHERE rt.provider_id = m.provider_id
              AND rt.valid_from <= (a.starts_at AT TIME ZONE 'Europe/Rome')::date
              AND (rt.valid_until IS NULL OR rt.valid_until >= (a.starts_at AT TIME ZONE 'Europe/Rome')::date)
            ORDER BY rt.valid_from DESC LIMIT 1) rt ON true"""

# A month's timesheet as its pages show it (alias t, with su and au the users who submitted and approved it).
_TIMESHEET_STATE = (
    "t.id, t.status, t.submitted_at, su.first_name || ' ' || su.last_name, t.approved_at, "
    "au.first_name || ' ' || au.last_name, t.send_back_reason"
)

# The candidates of a request ranked as its page ranks them (see QUERIES["candidates"]).
_CANDIDATES = f"""
    WITH moment AS (SELECT coalesce(%(now)s::timestamptz, now()) AS now),
    req AS (
        SELECT r.id, r.setting, r.mode, r.preferred_gender, o.district_id FROM requests_app_mediationrequest r
        JOIN accounts_office o ON o.id = r.office_id WHERE r.id = %(request)s),
    slots AS (
        SELECT p.starts_at, p.ends_at, (p.starts_at AT TIME ZONE 'Europe/Rome') AS local_start,
               (p.ends_at AT TIME ZONE 'Europe/Rome') AS local_end
        FROM requests_app_proposedslot p, moment WHERE p.request_id = %(request)s AND p.ends_at > moment.now),
    days AS (SELECT DISTINCT local_start::date AS day FROM slots
             UNION SELECT (moment.now AT TIME ZONE 'Europe/Rome')::date FROM moment
             WHERE NOT EXISTS (SELECT 1 FROM slots)),
    month AS (SELECT date_trunc('month', moment.now AT TIME ZONE 'Europe/Rome') AT TIME ZONE 'Europe/Rome' AS starts,
                     (date_trunc('month', moment.now AT TIME ZONE 'Europe/Rome') + interval '1 month')
                     AT TIME ZONE 'Europe/Rome' AS ends FROM moment),
    candidates AS (
        SELECT m.id, m.last_name, m.first_name, m.gender, p.name AS provider, req.preferred_gender,
               CASE req.setting WHEN 'child_protection' THEN m.exp_child_protection WHEN 'judicial' THEN m.exp_judicial
                    WHEN 'school' THEN m.exp_school WHEN 'health' THEN m.exp_health
                    WHEN 'basic_social_service' THEN m.exp_basic_social_service ELSE false END AS experienced,
               (SELECT count(*) FROM slots s
                WHERE s.local_start::date = s.local_end::date
                  AND EXISTS (SELECT 1 FROM mediators_availabilityslot a WHERE a.mediator_id = m.id
                              AND a.weekday = extract(isodow FROM s.local_start) - 1
                              AND a.start_time <= s.local_start::time AND a.end_time >= s.local_end::time)
                  AND NOT EXISTS (SELECT 1 FROM mediators_absence b WHERE b.mediator_id = m.id
                                  AND b.start_date <= s.local_start::date AND b.end_date >= s.local_start::date)
                  AND NOT EXISTS (SELECT 1 FROM scheduling_appointment x WHERE x.mediator_id = m.id
                                  AND x.status NOT IN ('cancelled', 'void')
                                  AND x.starts_at < s.ends_at AND x.ends_at > s.starts_at)) AS free,
               coalesce((SELECT extract(epoch FROM sum(x.ends_at - x.starts_at)) FROM scheduling_appointment x, month
                         WHERE x.mediator_id = m.id AND x.status NOT IN ('cancelled', 'void')
                           AND x.starts_at >= month.starts AND x.starts_at < month.ends), 0) AS worked,
               rt.score_total::float / rt.scores AS rating, rt.evaluations
        FROM mediators_mediator m JOIN accounts_provider p ON p.id = m.provider_id CROSS JOIN req CROSS JOIN moment
        LEFT JOIN sessions_app_mediatorrating rt ON rt.mediator_id = m.id AND rt.scores > 0
        WHERE m.is_active
          AND CASE req.mode WHEN 'in_person' THEN m.mode_in_person WHEN 'phone' THEN m.mode_phone
                            WHEN 'video' THEN m.mode_video ELSE false END
          AND EXISTS (SELECT 1 FROM mediators_mediator_districts md WHERE md.mediator_id = m.id
                      AND md.district_id = req.district_id)
          AND EXISTS (SELECT 1 FROM mediators_mediatorlanguage l WHERE l.mediator_id = m.id
                      AND l.code IN (SELECT code FROM requests_app_requestlanguage WHERE request_id = req.id))
          AND NOT EXISTS (SELECT 1 FROM mediators_absence b, days WHERE b.mediator_id = m.id
                          AND b.start_date <= days.day AND b.end_date >= days.day)
          AND NOT EXISTS (SELECT 1 FROM mediators_qualification q WHERE q.mediator_id = m.id
                          AND q.expires_on < (moment.now AT TIME ZONE 'Europe/Rome')::date))
    SELECT m.id, m.last_name, m.first_name, m.provider, m.free, m.worked, m.rating, m.evaluations,
           round((CASE WHEN (SELECT count(*) FROM slots) > 0 THEN 30.0 * m.free / (SELECT count(*) FROM slots)
                       ELSE 0 END
                  + CASE WHEN m.experienced THEN 15 ELSE 0 END
                  + CASE WHEN m.preferred_gender <> '' AND m.gender = m.preferred_gender THEN 10 ELSE 0 END
                  + coalesce(5.0 * (1 - m.worked / nullif(max(m.worked) OVER (), 0)), 5.0)
                  + CASE WHEN m.rating > 1 THEN (m.rating - 1) * 5.0 / 4 ELSE 0 END)::numeric, 2) AS points,
           {_MEDIATOR_LANGUAGES}
    FROM candidates m ORDER BY points DESC, lower(m.last_name), lower(m.first_name), m.id LIMIT 40"""

# name: the query (psycopg's %(name)s parameters, read from the address).
QUERIES = {
    # Request lists: the scope, the page's order, 25 rows.
    "office_requests": f"{_REQUEST_ROW} WHERE r.office_id = %(office)s ORDER BY r.created_at DESC, r.id DESC LIMIT 25",
    "district_queue": f"{_REQUEST_ROW} WHERE d.id = %(district)s AND r.status = ANY(%(open)s) {_QUEUE_ORDER} LIMIT 25",
    "district_requests": f"{_REQUEST_ROW} WHERE d.id = %(district)s AND r.status <> 'draft' {_QUEUE_ORDER} LIMIT 25",
    "province_requests": f"{_REQUEST_ROW} WHERE d.province_id = %(province)s AND r.status <> 'draft' "
    "ORDER BY r.submitted_at DESC NULLS LAST, r.id DESC LIMIT 25",
    "all_requests": f"{_REQUEST_ROW} ORDER BY r.created_at DESC, r.id DESC LIMIT 25",
    "request": [
        f"{_REQUEST_ROW} WHERE r.id = %(id)s",
        "SELECT c.code FROM requests_app_requestcountry c WHERE c.request_id = %(id)s ORDER BY c.code",
        "SELECT p.starts_at, p.ends_at FROM requests_app_proposedslot p WHERE p.request_id = %(id)s "
        "ORDER BY p.starts_at, p.id",
        "SELECT h.from_status, h.to_status, h.at, h.reason, u.first_name || ' ' || u.last_name "
        "FROM requests_app_statuschange h LEFT JOIN accounts_user u ON u.id = h.by_id "
        "WHERE h.request_id = %(id)s ORDER BY h.at, h.id",
        "SELECT c.body, c.created_at, u.first_name || ' ' || u.last_name FROM requests_app_comment c "
        "JOIN accounts_user u ON u.id = c.author_id WHERE c.request_id = %(id)s ORDER BY c.created_at, c.id",
        "SELECT f.status, f.release_at, f.answered_at, m.first_name || ' ' || m.last_name FROM scheduling_offer f "
        "JOIN mediators_mediator m ON m.id = f.mediator_id WHERE f.request_id = %(id)s ORDER BY f.id",
        "SELECT a.starts_at, a.ends_at, a.status, a.mode, m.first_name || ' ' || m.last_name "
        "FROM scheduling_appointment a JOIN mediators_mediator m ON m.id = a.mediator_id "
        "WHERE a.request_id = %(id)s ORDER BY a.starts_at, a.id",
    ],
    # The roster and a profile.
    "district_roster": f"{_MEDIATOR_ROW} WHERE m.id IN (SELECT mediator_id FROM mediators_mediator_districts "
    "WHERE district_id = %(district)s) ORDER BY m.last_name, m.first_name, m.id LIMIT 25",
    "province_roster": f"{_MEDIATOR_ROW} WHERE p.province_id = %(province)s "
    "ORDER BY m.last_name, m.first_name, m.id LIMIT 25",
    "all_roster": f"{_MEDIATOR_ROW} ORDER BY m.last_name, m.first_name, m.id LIMIT 25",
    "mediator": [
        f"{_MEDIATOR_ROW} WHERE m.id = %(id)s",
        "SELECT d.name FROM accounts_district d JOIN mediators_mediator_districts md ON md.district_id = d.id "
        "WHERE md.mediator_id = %(id)s ORDER BY d.name",
        "SELECT c.code FROM mediators_mediatorcountry c WHERE c.mediator_id = %(id)s ORDER BY c.code",
        "SELECT t.* FROM mediators_training t WHERE t.mediator_id = %(id)s ORDER BY t.date DESC, t.id",
        "SELECT q.* FROM mediators_qualification q WHERE q.mediator_id = %(id)s ORDER BY q.expires_on, q.title, q.id",
        "SELECT s.* FROM mediators_availabilityslot s WHERE s.mediator_id = %(id)s "
        "ORDER BY s.weekday, s.start_time, s.id",
        "SELECT b.* FROM mediators_absence b WHERE b.mediator_id = %(id)s AND b.end_date >= CURRENT_DATE "
        "ORDER BY b.start_date, b.id",
    ],
    # The candidates of a request, ranked as the page ranks them (scheduling.matching): the hard conditions, then the
    # points of each (free at the proposed times still to come, experience in the setting, the preferred gender, the
    # fewest hours this month among the candidates, the offices' rating), the best 40 (the page reads 20 + a margin
    # of 20 and shows 20). Until 6 December 2026 this view listed every candidate by name, unranked: not the page's
    # rows. The bench's request asks for one language with no variant: a variant's points and the related languages
    # (macrolanguages) are left out here.
    "candidates": _CANDIDATES,
    # Calendars: every appointment of the week or month in the scope.
    "office_calendar": f"{_APPOINTMENT_ROW} WHERE r.office_id = %(office)s {_CALENDAR}",
    "district_calendar": f"{_APPOINTMENT_ROW} WHERE d.id = %(district)s {_CALENDAR}",
    "province_calendar": f"{_APPOINTMENT_ROW} WHERE d.province_id = %(province)s {_CALENDAR}",
    "mediator_calendar": f"{_APPOINTMENT_ROW} WHERE a.mediator_id = %(mediator)s {_CALENDAR}",
    "appointment": [
        f"{_APPOINTMENT_ROW} WHERE a.id = %(id)s",
        "SELECT s.status, s.outcome, s.started_at, s.ended_at FROM sessions_app_sessionreport s "
        "WHERE s.appointment_id = %(id)s",
    ],
    "series": [
        """SELECT s.id, s.first_starts_at, s.until, s.interval_weeks, r.case_code, m.first_name || ' ' || m.last_name,
               (SELECT count(*) FROM scheduling_appointment a WHERE a.series_id = s.id)
        FROM scheduling_appointmentseries s
        JOIN requests_app_mediationrequest r ON r.id = s.request_id
        JOIN mediators_mediator m ON m.id = s.mediator_id WHERE s.id = %(id)s""",
        # The occurrences the page lists.
        """SELECT a.starts_at, a.ends_at, a.status, a.mode FROM scheduling_appointment a
        WHERE a.series_id = %(id)s ORDER BY a.starts_at, a.id""",
    ],
    # A mediator's offers (the page shows the latest 100).
    "offers": """
        SELECT f.id, f.status, f.release_at, f.expires_at, f.answered_at, r.case_code, o.name, d.name
        FROM scheduling_offer f
        JOIN requests_app_mediationrequest r ON r.id = f.request_id
        JOIN accounts_office o ON o.id = r.office_id
        JOIN accounts_district d ON d.id = o.district_id
        WHERE f.mediator_id = %(mediator)s AND f.status <> 'queued' ORDER BY f.release_at DESC, f.id DESC LIMIT 100""",
    # Session reports: every list the role's reports page shows (until 5 December 2026 only the latest validated).
    "office_reports": _reports_page("r.office_id = %(office)s", "to_confirm", "office_to_evaluate", "recent"),
    "district_reports": _reports_page(
        "d.id = %(district)s", "to_write", "to_validate", "recent", appointments="o.district_id = %(district)s"
    ),
    "province_reports": _reports_page("d.province_id = %(province)s", "to_validate", "recent"),
    "mediator_reports": _reports_page(
        "a.mediator_id = %(mediator)s",
        "to_write",
        "to_validate",
        "mediator_to_evaluate",
        "recent",
        requests="r.assigned_mediator_id = %(mediator)s",
    ),
    "report": f"{_REPORT_ROW} WHERE s.id = %(id)s",
    "evaluation_averages": """
        SELECT m.id, m.last_name, m.first_name, e.side, avg(sc.score), count(DISTINCT e.id)
        FROM mediators_mediator m
        JOIN sessions_app_evaluation e ON e.mediator_id = m.id
        JOIN sessions_app_evaluationscore sc ON sc.evaluation_id = e.id
        WHERE m.id IN (SELECT mediator_id FROM mediators_mediator_districts WHERE district_id = %(district)s)
        GROUP BY m.id, m.last_name, m.first_name, e.side ORDER BY m.last_name, m.first_name, m.id, e.side""",
    # Timesheets: one row per mediator (and district) with sessions in the month, as the page shows it: the sessions
    # owed (held, family absent, cancelled late), the hours, the km, their cost at the provider's rate of each
    # session's day (one lookup a line) and the state of the month's timesheet. Until 6 December 2026 this view left
    # out the costs and the state: a fraction of the page's work.
    "district_timesheets": f"""
        SELECT m.id, m.last_name, m.first_name, a.district_id, t.status,
               count(*) FILTER (WHERE a.status <> 'cancelled'), count(*) FILTER (WHERE a.status = 'cancelled'),
               sum(EXTRACT(EPOCH FROM a.ends_at - a.starts_at)), sum(s.travel_km),
               sum(round(EXTRACT(EPOCH FROM a.ends_at - a.starts_at) / 3600 * rt.hourly_rate
                         + coalesce(s.travel_km, 0) * rt.km_rate + coalesce(s.expenses, 0), 2))
        FROM scheduling_appointment a
        JOIN mediators_mediator m ON m.id = a.mediator_id
        LEFT JOIN sessions_app_sessionreport s ON s.appointment_id = a.id
        {_RATE_OF_THE_DAY}
        LEFT JOIN timesheets_timesheet t ON t.mediator_id = m.id AND t.district_id = a.district_id
             AND t.month = (%(start)s AT TIME ZONE 'Europe/Rome')::date
        WHERE a.starts_at >= %(start)s AND a.starts_at < %(end)s AND a.district_id = ANY(%(districts)s)
              AND a.status <> 'void' AND (a.status <> 'cancelled' OR a.late_cancellation)
        GROUP BY m.id, m.last_name, m.first_name, a.district_id, t.status
        ORDER BY m.last_name, m.first_name, m.id""",
    # A mediator's month: each district's totals, every line of the month (the page shows each sheet's lines) and
    # its latest timesheets (its history, three a month for twelve months).
    "mediator_timesheets": [
        f"""SELECT a.district_id, count(*), sum(EXTRACT(EPOCH FROM a.ends_at - a.starts_at)), sum(s.travel_km)
        {_MONTH_SESSIONS} AND a.mediator_id = %(mediator)s GROUP BY a.district_id ORDER BY a.district_id""",
        f"""SELECT a.id, a.starts_at, a.ends_at, a.status, r.case_code, o.name, a.district_id, s.status,
               s.started_at, s.ended_at, s.travel_km, s.expenses
        {_MONTH_SESSIONS} AND a.mediator_id = %(mediator)s ORDER BY a.starts_at, a.id""",
        # The month's sheet of each district: its state and who submitted or approved it.
        f"""SELECT d.name, {_TIMESHEET_STATE}
        FROM mediators_mediator_districts md JOIN accounts_district d ON d.id = md.district_id
        LEFT JOIN timesheets_timesheet t ON t.mediator_id = md.mediator_id AND t.district_id = d.id
             AND t.month = (%(start)s AT TIME ZONE 'Europe/Rome')::date
        LEFT JOIN accounts_user su ON su.id = t.submitted_by_id LEFT JOIN accounts_user au ON au.id = t.approved_by_id
        WHERE md.mediator_id = %(mediator)s ORDER BY d.name""",
        """SELECT t.id, t.month, t.status, d.name FROM timesheets_timesheet t JOIN accounts_district d
        ON d.id = t.district_id WHERE t.mediator_id = %(mediator)s ORDER BY t.month DESC, d.name LIMIT 36""",
    ],
    # A timesheet: its mediator, provider, district and state (who submitted, approved), then its lines with the
    # office, the report and the provider's rate of the session's day (the page prices each line).
    "sheet": [
        f"""SELECT m.first_name || ' ' || m.last_name, p.name, d.name, {_TIMESHEET_STATE}
        FROM mediators_mediator m JOIN accounts_provider p ON p.id = m.provider_id
        CROSS JOIN accounts_district d
        LEFT JOIN timesheets_timesheet t ON t.mediator_id = m.id AND t.district_id = d.id
             AND t.month = (%(start)s AT TIME ZONE 'Europe/Rome')::date
        LEFT JOIN accounts_user su ON su.id = t.submitted_by_id LEFT JOIN accounts_user au ON au.id = t.approved_by_id
        WHERE m.id = %(mediator)s AND d.id = %(district)s""",
        f"""
        SELECT a.id, a.starts_at, a.ends_at, a.status, a.late_cancellation, r.case_code, o.name, s.status, s.outcome,
               s.started_at, s.ended_at, s.travel_km, s.travel_minutes, s.expenses,
               (SELECT rt.hourly_rate || '|' || rt.km_rate || '|' || rt.travel_hourly_rate || '|'
                       || rt.late_cancellation_percent FROM timesheets_rate rt
                WHERE rt.provider_id = m.provider_id
                  AND rt.valid_from <= (a.starts_at AT TIME ZONE 'Europe/Rome')::date
                  AND (rt.valid_until IS NULL OR rt.valid_until >= (a.starts_at AT TIME ZONE 'Europe/Rome')::date)
                ORDER BY rt.valid_from DESC LIMIT 1)
        {_MONTH_SESSIONS} AND a.mediator_id = %(mediator)s AND a.district_id = %(district)s
        ORDER BY a.starts_at, a.id""",
    ],
    # What each provider is owed by district, as the page shows it: each line priced at the rate of its day (as the
    # district's month of timesheets), and the part in approved timesheets.
    "provider_totals": f"""
        SELECT p.name, d.name, count(*) FILTER (WHERE a.status <> 'cancelled'),
               sum(EXTRACT(EPOCH FROM a.ends_at - a.starts_at)), sum(s.travel_km), sum(c.cost),
               sum(c.cost) FILTER (WHERE t.status = 'approved')
        FROM scheduling_appointment a
        JOIN mediators_mediator m ON m.id = a.mediator_id
        JOIN accounts_provider p ON p.id = m.provider_id
        JOIN accounts_district d ON d.id = a.district_id
        LEFT JOIN sessions_app_sessionreport s ON s.appointment_id = a.id
        {_RATE_OF_THE_DAY}
        CROSS JOIN LATERAL (
            SELECT round(EXTRACT(EPOCH FROM a.ends_at - a.starts_at) / 3600 * rt.hourly_rate
                         + coalesce(s.travel_km, 0) * rt.km_rate + coalesce(s.expenses, 0), 2) AS cost) c
        LEFT JOIN timesheets_timesheet t ON t.mediator_id = m.id AND t.district_id = a.district_id
             AND t.month = (%(start)s AT TIME ZONE 'Europe/Rome')::date
        WHERE a.starts_at >= %(start)s AND a.starts_at < %(end)s AND a.district_id = ANY(%(districts)s)
              AND a.status <> 'void' AND (a.status <> 'cancelled' OR a.late_cancellation)
        GROUP BY p.name, d.name ORDER BY p.name, d.name""",
    # Notifications, the read audit, people, projects, report jobs.
    "notifications": """
        SELECT n.id, n.kind, n.created_at, n.read_at, r.case_code, o.name, d.name, u.first_name || ' ' || u.last_name
        FROM notifications_notification n
        LEFT JOIN requests_app_mediationrequest r ON r.id = n.request_id
        LEFT JOIN accounts_office o ON o.id = r.office_id
        LEFT JOIN accounts_district d ON d.id = o.district_id
        LEFT JOIN accounts_user u ON u.id = n.actor_id
        WHERE n.recipient_id = %(user)s ORDER BY n.created_at DESC, n.id DESC LIMIT 25""",
    "audit": """
        SELECT e.id, e.at, e.role, e.kind, e.object_type, e.object_id, u.email, p.name
        FROM audit_readevent e JOIN accounts_user u ON u.id = e.user_id
        LEFT JOIN accounts_province p ON p.id = e.province_id
        WHERE e.province_id = %(province)s ORDER BY e.at DESC, e.id DESC LIMIT 50""",
    # People: a page of the roles the user manages, and the invitations still pending (the latest 50).
    "people": [
        """SELECT ms.id, u.last_name, u.first_name, u.email, ms.role, ms.is_active
        FROM accounts_membership ms JOIN accounts_user u ON u.id = ms.user_id
        LEFT JOIN accounts_office o ON o.id = ms.office_id
        WHERE o.district_id = %(district)s OR ms.district_id = %(district)s
           OR ms.id IN (SELECT membership_id FROM accounts_membership_districts WHERE district_id = %(district)s)
        ORDER BY u.last_name, u.first_name, u.email, ms.role LIMIT 25""",
        """SELECT i.id, i.email, i.role, i.created_at, i.expires_at, o.name, d.name
        FROM accounts_invitation i LEFT JOIN accounts_office o ON o.id = i.office_id
        LEFT JOIN accounts_district d ON d.id = i.district_id
        WHERE i.accepted_at IS NULL AND i.revoked_at IS NULL AND (o.district_id = %(district)s
           OR i.district_id = %(district)s OR i.id IN (SELECT invitation_id FROM accounts_invitation_districts
           WHERE district_id = %(district)s))
        ORDER BY i.created_at DESC LIMIT 50""",
    ],
    "province_people": [
        """SELECT ms.id, u.last_name, u.first_name, u.email, ms.role, ms.is_active
        FROM accounts_membership ms JOIN accounts_user u ON u.id = ms.user_id
        LEFT JOIN accounts_office o ON o.id = ms.office_id
        LEFT JOIN accounts_district od ON od.id = o.district_id
        LEFT JOIN accounts_district dd ON dd.id = ms.district_id
        LEFT JOIN accounts_provider pr ON pr.id = ms.provider_id
        WHERE od.province_id = %(province)s OR dd.province_id = %(province)s OR pr.province_id = %(province)s
           OR ms.province_id = %(province)s
        ORDER BY u.last_name, u.first_name, u.email, ms.role LIMIT 25""",
        """SELECT i.id, i.email, i.role, i.created_at, i.expires_at, o.name, dd.name, pr.name
        FROM accounts_invitation i LEFT JOIN accounts_office o ON o.id = i.office_id
        LEFT JOIN accounts_district od ON od.id = o.district_id
        LEFT JOIN accounts_district dd ON dd.id = i.district_id
        LEFT JOIN accounts_provider pr ON pr.id = i.provider_id
        WHERE i.accepted_at IS NULL AND i.revoked_at IS NULL AND (od.province_id = %(province)s
           OR dd.province_id = %(province)s OR pr.province_id = %(province)s OR i.province_id = %(province)s)
        ORDER BY i.created_at DESC LIMIT 50""",
    ],
    "projects": """
        SELECT pr.id, pr.title, pr.starts_on, pr.ends_on, (SELECT sum(amount) FROM reporting_budgetline b
               WHERE b.project_id = pr.id)
        FROM reporting_project pr WHERE pr.lead_province_id = %(province)s ORDER BY pr.starts_on DESC, pr.title""",
    # A funded project's page: the project with its funder, lead and partners' budget lines; the sessions' cost per
    # district in its period, from the monthly aggregates; the latest expenses it lists (the budget's spending is
    # summed from them). Until 6 December 2026 this view read the budget lines only: a fraction of the page's work.
    "project": [
        """SELECT pr.id, pr.title, pr.call, pr.starts_on, pr.ends_on, f.name, lp.name, pa.name, d.name, b.action,
               b.amount
        FROM reporting_project pr JOIN accounts_funder f ON f.id = pr.funder_id
        JOIN accounts_province lp ON lp.id = pr.lead_province_id
        JOIN reporting_projectpartner pa ON pa.project_id = pr.id LEFT JOIN accounts_district d ON d.id = pa.district_id
        JOIN reporting_budgetline b ON b.partner_id = pa.id WHERE pr.id = %(id)s ORDER BY pa.name, b.action""",
        """SELECT a.district_id, sum(a.session_cost) FROM reporting_monthlyaggregate a
        JOIN reporting_project pr ON pr.id = a.project_id
        WHERE a.project_id = %(id)s AND a.month >= date_trunc('month', pr.starts_on)::date AND a.month <= pr.ends_on
        GROUP BY a.district_id""",
        """SELECT e.spent_on, pa.name, e.action, e.description, e.amount FROM reporting_projectexpense e
        JOIN reporting_projectpartner pa ON pa.id = e.partner_id
        WHERE e.project_id = %(id)s ORDER BY e.spent_on DESC, e.id DESC LIMIT 200""",
    ],
    "report_jobs": """
        SELECT j.id, j.status, j.format, j.date_from, j.date_to, j.created_at FROM reporting_reportjob j
        WHERE j.province_id = %(province)s ORDER BY j.created_at DESC LIMIT 20""",
}


def _parameter(name: str, value: str):
    if name == "open":
        return list(OPEN_STATUSES)
    if name == "districts":
        return [int(part) for part in value.split(",")]
    if name in ("start", "end", "now"):
        return dt.datetime.fromisoformat(value)
    return int(value)


def bare(request, name: str):
    sql = QUERIES.get(name)
    if sql is None:
        raise Http404
    parameters = {key: _parameter(key, value) for key, value in request.GET.items()}
    if "%(open)s" in str(sql):
        parameters["open"] = _parameter("open", "")
    if "%(now)s" in str(sql):
        parameters.setdefault("now", None)  # the database's clock (a test gives its own)
    rows = []
    with connection.cursor() as cursor:
        for query in [sql] if isinstance(sql, str) else sql:
            cursor.execute(query, {key: value for key, value in parameters.items() if f"%({key})s" in query})
            rows += cursor.fetchall()
    body = "".join("<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in rows)
    return HttpResponse(
        f'<!doctype html><html lang="it"><title>{escape(name)}</title><table>{body}</table></html>',
        headers={"X-Rows": str(len(rows))},
    )
