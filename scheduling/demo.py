"""Demo requests: 64 mediation requests of the child-protection offices of Cremona, Crema and Bergamo over the last
two years, in every status, with languages, countries, proposed times, their history and a few comments.

Idempotent: a request is keyed on (office, case code), and every row it owns is brought to a fixed list. Dates are
counted back from today (a demo should look current), so running it twice on the same day gives exactly the same
rows; on a later day the dates move with the calendar, and nothing piles up. No randomness: the variety comes from
the tables below and the position of each request in them.

No real person is described: the family is a case code, household counts, countries and languages, as in the
portal itself; the people who act are the demo users.

Offers and appointments (needs the mediators of :func:`mediators.demo.build`): a request looking for a mediator has
open, queued, declined or expired offers to mediators who speak its language and serve its district (another
district or province only where nobody does); from *assigned* on, exactly one offer is accepted, by the request's
assigned mediator, beside declined, withdrawn or expired ones. Scheduled requests have appointments held last week
and planned this week and the next, on any day of the week (see :data:`SCHEDULED_SESSIONS`); completed, evaluated
and closed ones have past appointments, held, with a few no-shows, late cancellations and one entered by mistake
(void). The demo mediator ``mediatore.cremona`` works on requests of ``assistente.cremona``. A mediator's
appointments never overlap and keep the travel buffer between in-person ones in different places, as the scheduling
service would require; the rows are written directly (the service refuses past times), in two passes so that on
PostgreSQL the exclusion constraint never sees yesterday's rows overlap today's.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.demo import demo_email
from accounts.models import Office, User
from mediators import demo as mediators_demo
from mediators.models import Mediator
from requests_app.models import MediationRequest, ServiceKind, Status, Urgency

from .models import Appointment, AppointmentSeries, Offer

# The codes say the year the office opened the case, counted from the day these tables were written: a code is a
# fixed name (the key of its request), so it is not recomputed from today.
CODE_DAY = date(2026, 11, 20)

# office key: (district of the child-protection office, requester, coordinator, code prefix)
OFFICES = {
    "cremona": ("Cremona", "assistente.cremona", "coordinatore.cremona", "TM"),
    "crema": ("Crema", "assistente.crema", "coordinatore.crema", "TMC"),
    "bergamo": ("Bergamo", "assistente.bergamo", "coordinatore.bergamo", "TMBG"),
}

DARIJA, EGYPTIAN, TUNISIAN = "Darija marocchina", "egiziano", "tunisino"
WENZHOU, MANDARIN = "wenzhounese", "mandarino"
S = ServiceKind
IP, PH, VI = "in_person", "phone", "video"
TM_PLACE = "Sede del Servizio Tutela Minori, sala colloqui"

# What the requests are about: (service, setting, languages, countries, adults, minors, goal, sessions, minutes, mode,
# place, preferred gender, sensitive notes). Notes describe needs, never who the family is.
CASES = [
    (S.CULTURAL_MEDIATION, "child_protection", [("ara", DARIJA)], ["MA"], 2, 3,
     "Spiegare ai genitori il progetto di tutela e il ruolo della comunità educativa che accoglie il figlio.",
     4, 90, IP, TM_PLACE, "female", "La madre legge poco l'italiano: ripetere a voce ogni decisione."),
    (S.INTERPRETING, "school", [("zho", WENZHOU)], ["CN"], 2, 2,
     "Colloquio con gli insegnanti sul percorso di inserimento scolastico della figlia maggiore.",
     2, 60, IP, "Istituto comprensivo, aula colloqui", "", ""),
    (S.INTERPRETING, "health", [("urd", ""), ("pan", "shahmukhi")], ["PK"], 2, 1,
     "Accompagnare la coppia nella presa in carico del consultorio durante la gravidanza.",
     3, 60, IP, "Consultorio familiare", "female", "Preferibile una mediatrice: richiesta esplicita della donna."),
    (S.CULTURAL_MEDIATION, "basic_social_service", [("ukr", ""), ("rus", "")], ["UA"], 1, 2,
     "Orientare il nucleo ai servizi del territorio: residenza, pediatra, iscrizione scolastica.",
     3, 60, VI, "", "", ""),
    (S.INTERPRETING, "judicial", [("sqi", "")], ["AL"], 2, 1,
     "Restituire ai genitori il decreto del Tribunale per i Minorenni e le prescrizioni che contiene.",
     1, 120, IP, TM_PLACE, "", "Clima teso con il servizio: prevedere la presenza di due operatori."),
    (S.CULTURAL_MEDIATION, "child_protection", [("ron", "")], ["RO"], 1, 2,
     "Sostenere gli incontri protetti tra il padre e i due figli in spazio neutro.",
     6, 60, IP, "Spazio neutro comunale", "", ""),
    (S.CULTURAL_MEDIATION, "basic_social_service", [("wol", ""), ("fra", "")], ["SN"], 1, 0,
     "Ricostruire con il padre la rete familiare e valutare un progetto di ricongiungimento.",
     2, 90, IP, "", "male", ""),
    (S.INTERPRETING, "child_protection", [("tir", "")], ["ER"], 0, 1,
     "Colloqui con un minore straniero non accompagnato sul progetto di accoglienza e sulla tutela legale.",
     4, 60, IP, "Comunità per minori", "male",
     "Il ragazzo ha vissuto un viaggio difficile: evitare domande sul percorso migratorio."),
    (S.INTERPRETING, "health", [("ben", "")], ["BD"], 2, 2,
     "Incontro di restituzione della valutazione neuropsichiatrica del figlio minore.",
     1, 90, IP, "Neuropsichiatria dell'infanzia e dell'adolescenza", "", ""),
    (S.CULTURAL_MEDIATION, "child_protection", [("ara", EGYPTIAN)], ["EG"], 2, 2,
     "Mediare il conflitto tra i genitori e la figlia adolescente su scuola, uscite e amicizie.",
     5, 60, IP, TM_PLACE, "female", "La ragazza chiede di parlare anche da sola con la mediatrice."),
    (S.INTERPRETING, "basic_social_service", [("pan", "gurmukhi")], ["IN"], 2, 3,
     "Spiegare la domanda di contributo per l'affitto e i documenti da presentare.",
     1, 60, PH, "", "", ""),
    (S.CULTURAL_MEDIATION, "school", [("spa", "")], ["PE", "EC"], 1, 1,
     "Favorire la partecipazione della madre agli incontri con la scuola dell'infanzia.",
     3, 60, IP, "Scuola dell'infanzia", "", ""),
    (S.INTERPRETING, "judicial", [("ara", TUNISIAN), ("fra", "")], ["TN"], 2, 2,
     "Colloqui con i genitori per l'indagine psicosociale chiesta dal Tribunale per i Minorenni.",
     2, 120, IP, TM_PLACE, "", ""),
    (S.WRITTEN_TRANSLATION, "health", [("zho", MANDARIN)], ["CN"], 2, 1,
     "Tradurre in cinese il piano di cura e le indicazioni sui farmaci del bambino.",
     1, 60, IP, "", "", ""),
    (S.ACCOMPANIMENT, "child_protection", [("rus", "")], ["RU", "KZ"], 1, 1,
     "Accompagnare la madre ai colloqui con il centro antiviolenza e con il servizio.",
     4, 90, IP, "Centro antiviolenza", "female", "Non concordare mai gli appuntamenti al telefono di casa."),
    (S.CULTURAL_MEDIATION, "basic_social_service", [("twi", ""), ("eng", "")], ["GH"], 2, 4,
     "Aiutare la famiglia a comprendere il progetto educativo domiciliare e i suoi obiettivi.",
     4, 60, IP, "Domicilio della famiglia", "", ""),
    (S.INTERPRETING, "school", [("ara", DARIJA)], ["MA"], 1, 2,
     "Incontro con la scuola primaria sul piano didattico personalizzato del figlio.",
     1, 60, IP, "Scuola primaria, sala insegnanti", "", ""),
    (S.CULTURAL_MEDIATION, "child_protection", [("zho", WENZHOU), ("zho", MANDARIN)], ["CN"], 2, 1,
     "Preparare i genitori all'affido part-time del figlio e agli incontri con la famiglia affidataria.",
     5, 90, IP, TM_PLACE, "", ""),
    (S.INTERPRETING, "health", [("ara", "siriano")], ["SY"], 2, 3,
     "Colloquio con il pediatra e l'assistente sociale sulle vaccinazioni e sulla frequenza al nido.",
     1, 60, VI, "", "", ""),
    (S.CULTURAL_MEDIATION, "child_protection", [("ara", DARIJA), ("tzm", "")], ["MA"], 2, 4,
     "Visite domiciliari per sostenere i genitori nella cura dei figli più piccoli.",
     6, 60, IP, "Domicilio della famiglia", "female", ""),
]  # fmt: skip

# Statuses in each office, with the oldest a request of that status may be (days back from today).
PLANS = {
    "cremona": ["draft"] * 3 + ["submitted"] * 4 + ["rejected"] * 2 + ["matching"] * 3 + ["assigned"] * 2
    + ["scheduled"] * 3 + ["completed"] * 2 + ["evaluated"] * 2 + ["closed"] * 3 + ["cancelled"] * 2,
    "crema": ["draft", "submitted", "submitted", "rejected", "matching", "matching", "assigned", "scheduled",
              "scheduled", "completed", "completed", "evaluated", "closed", "closed", "closed", "closed",
              "cancelled", "cancelled"],
    "bergamo": ["draft"] * 2 + ["submitted"] * 3 + ["rejected", "matching", "matching", "assigned", "assigned",
                "scheduled", "scheduled", "completed", "evaluated", "evaluated", "closed", "closed", "closed",
                "cancelled", "cancelled"],
}  # fmt: skip
AGES = {  # (youngest, oldest) in days
    "draft": (1, 20),
    "submitted": (1, 9),
    "rejected": (30, 500),
    "matching": (5, 25),
    "assigned": (10, 40),
    # Scheduled about six days after being filed: from 21 days, every scheduled request was already scheduled on
    # the Monday of last week, whatever today is, so that it can have sessions held last week.
    "scheduled": (21, 60),
    "completed": (60, 200),
    "evaluated": (90, 330),
    "closed": (200, 720),
    "cancelled": (20, 650),
}
# The steps of each life, as (target, who, hours after the previous step).
STEPS = {
    "submitted": [("submitted", "requester", 3)],
    "rejected": [("submitted", "requester", 3), ("rejected", "coordinator", 26)],
    "matching": [("submitted", "requester", 3), ("matching", "coordinator", 22)],
}
STEPS["assigned"] = STEPS["matching"] + [("assigned", "coordinator", 70)]
STEPS["scheduled"] = STEPS["assigned"] + [("scheduled", "coordinator", 50)]
STEPS["completed"] = STEPS["scheduled"] + [("completed", "coordinator", 24 * 30)]
STEPS["evaluated"] = STEPS["completed"] + [("evaluated", "requester", 24 * 8)]
STEPS["closed"] = STEPS["evaluated"] + [("closed", "coordinator", 24 * 12)]
# Cancelled requests were cancelled at different points of their life, by the office or the coordinator.
CANCELLATIONS = [
    (["submitted"], "requester", "La famiglia si è trasferita in un'altra provincia."),
    (["submitted", "matching"], "coordinator",
     "Nessun mediatore disponibile entro la scadenza: attivato un servizio di interpretariato telefonico."),
    (["submitted", "matching", "assigned", "scheduled"], "requester",
     "Il colloquio è stato annullato dalla scuola: si farà una nuova richiesta se servirà."),
    ([], "requester", "Bozza aperta per errore: il caso è già seguito da un'altra richiesta."),
]  # fmt: skip
REJECTIONS = [
    "Serve un interprete giurato per l'udienza: la richiesta va rivolta all'albo dei periti del Tribunale.",
    "Il nucleo risiede in un comune di un altro ambito: inoltra la richiesta al servizio competente.",
]
# A few conversations between the office and the coordinator, on requests of these statuses.
CONVERSATIONS = {
    "submitted": [
        ("coordinator", "Serve la mediazione anche per il colloquio con la scuola, o solo per quello in sede?"),
        ("requester", "Solo in sede, per ora: con la scuola ci sentiamo dopo il primo incontro."),
    ],
    "matching": [("coordinator", "Sto sentendo due mediatrici: ti confermo entro venerdì.")],
    "scheduled": [
        ("requester", "La famiglia chiede se il secondo incontro può essere spostato alle 15."),
        ("coordinator", "Sì, la mediatrice è disponibile: aggiorno l'appuntamento."),
    ],
}
SLOT_TIMES = [(time(9, 30), time(11, 0)), (time(14, 30), time(16, 0)), (time(10, 0), time(11, 30))]
OPEN_URGENT = {"submitted", "matching", "assigned", "scheduled"}

# --- Offers and appointments ------------------------------------------------------------------------------------------
WITH_MEDIATOR = {"assigned", "scheduled", "completed", "evaluated", "closed"}
DONE = {"completed", "evaluated", "closed"}
DECLINE_REASONS = [
    "Già impegnata con un'altra famiglia negli stessi giorni.",
    "La sede è troppo lontana per gli orari proposti.",
    "Conosco la famiglia per motivi personali: meglio un collega.",
]
# The other offers of a request that found its mediator, in turn: what became of them.
OTHER_OFFERS = ["declined", "withdrawn", "expired"]
# A request still looking for a mediator: what became of the offers after the first (open) one, by its position.
MATCHING_OFFERS = [["declined", "queued", "open"], ["queued", "expired", "declined"], ["expired", "declined", "queued"]]
# The appointments of a scheduled request by its expected sessions, as (what, week, weekday): the week counted from
# this one (-1 last week, 0 this week, 1 next week), the weekday the one tried first (0 is Monday), stepping back from
# it for a held session and forward for a planned one. Held sessions fall before today, planned ones from tomorrow,
# so a demo loaded on any day reads "held last week, planned this week and next": this week's planned session is on
# the first working day after today; when none is left (today is a Friday or a Saturday) the README's mediator,
# ``mediatore.cremona``, meets the family on the weekend instead (a Saturday, or a Sunday when today is a Saturday).
# On a Sunday no day of this week is left: this week's sessions are the ones held since Monday, and the planned one
# moves to Monday. The others' sessions keep to working days: theirs moves to the next week.
THIS_WEEK = None
SCHEDULED_SESSIONS = {
    3: [("held", -1, 1), ("held", 0, 0), ("planned", 0, THIS_WEEK), ("planned", 1, 2)],
    4: [("held", -1, 0), ("held", -1, 3), ("held", 0, 1), ("planned", 0, THIS_WEEK), ("planned", 1, 3)],
}
START_TIMES = [time(9, 30), time(14, 30), time(10, 0), time(11, 0), time(15, 0)]
LATE_CANCEL_REASON = "La famiglia ha avvisato la mattina stessa: il figlio aveva la febbre."
EARLY_CANCEL_REASON = "Incontro spostato su richiesta della scuola."
VOID_REASON = "Inserito due volte per errore."


def _local(day: date, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, at))


def _spec_rows(today: date) -> list[dict]:
    """Every demo request as plain values, in a fixed order; the users are filled in by :func:`build`."""
    rows = []
    for office_number, (office_key, plan) in enumerate(PLANS.items()):
        counters: dict[str, int] = {}
        numbers: dict[int, int] = {}
        for index, status in enumerate(plan):
            youngest, oldest = AGES[status]
            same = [i for i, s in enumerate(plan) if s == status]
            position = same.index(index)
            # Spread the requests of one status over its range of ages, the first the youngest.
            age = youngest + (oldest - youngest) * position // max(len(same) - 1, 1) if len(same) > 1 else youngest
            age += office_number  # offices do not file on the same days
            case = CASES[(index * 7 + office_number * 5) % len(CASES)]
            year = (CODE_DAY - timedelta(days=age)).year
            numbers[year] = numbers.get(year, 0) + 1
            counters[status] = counters.get(status, 0) + 1
            created = _local(today - timedelta(days=age), time(8, 40)) + timedelta(minutes=37 * (index % 9))
            rows.append(
                {
                    "office": office_key,
                    "index": index,
                    "status": status,
                    "age": age,
                    "case": case,
                    "created": created,
                    "year": year,
                    "nth_of_status": counters[status],
                }
            )
    # Case codes: numbered per office and year in the order the cases were opened.
    for office_key, (_district, _req, _coord, prefix) in OFFICES.items():
        mine = sorted((r for r in rows if r["office"] == office_key), key=lambda r: (r["created"], r["index"]))
        sequence: dict[int, int] = {}
        for row in mine:
            sequence[row["year"]] = sequence.get(row["year"], 0) + 1
            row["case_code"] = f"{prefix}-{row['year']}-{sequence[row['year']] * 3 + 2:03d}"
    return rows


def _life(row: dict, today: date) -> tuple[list[tuple[str, str, str, datetime]], str]:
    """The history of a request: (from, to, who, when) steps, and the reason of its last step if it needs one."""
    status, created = row["status"], row["created"]
    reason = ""
    if status == "cancelled":
        through, who, reason = CANCELLATIONS[row["nth_of_status"] % len(CANCELLATIONS) - 1]
        steps = STEPS[through[-1]] if through else []
        steps = steps + [("cancelled", who, 24 * 4)]
    elif status == "draft":
        steps = []
    else:
        steps = STEPS[status]
        if status == "rejected":
            reason = REJECTIONS[row["nth_of_status"] % len(REJECTIONS)]
    history = []
    previous, at = "draft", created
    latest = _latest(today)
    for target, who, hours in steps:
        at = min(at + timedelta(hours=hours), latest)
        history.append((previous, target, who, at))
        previous = target
    return history, reason


def _slots(row: dict, today: date, history) -> list[tuple[datetime, datetime]]:
    """Proposed times: ahead of today while the request is open and not yet done; otherwise after it was sent."""
    status, index = row["status"], row["index"]
    count = 1 + index % 3
    if status in {"draft", "submitted", "matching", "assigned", "scheduled"}:
        first = today + timedelta(days=4 + index % 6)
    else:
        sent = history[0][3].date() if history else row["created"].date()
        first = sent + timedelta(days=6 + index % 5)
    spans = []
    for n in range(count):
        day = first + timedelta(days=2 * n)
        while day.weekday() >= 5:  # offices propose working days
            day += timedelta(days=1)
        start, end = SLOT_TIMES[(index + n) % len(SLOT_TIMES)]
        spans.append((_local(day, start), _local(day, end)))
    return spans


def _replace_if_changed(manager, wanted: list[dict], fields: list[str], fixed_times: str | None = None) -> None:
    """Make a request's rows exactly ``wanted`` (a list of field values); leave them alone when they already are."""
    current = list(manager.order_by("pk").values(*fields))
    if current == wanted:
        return
    manager.all().delete()
    for values in wanted:
        created = manager.create(**values)
        if fixed_times:
            # ``auto_now_add`` wrote the time of this run: put back the time the demo says.
            type(created).objects.filter(pk=created.pk).update(**{fixed_times: values[fixed_times]})


@transaction.atomic
def build() -> dict[tuple[str, str], MediationRequest]:
    """The demo requests, by (office key, case code). Needs the users of :func:`accounts.demo.build` and, for offers
    and appointments, the mediators of :func:`mediators.demo.build` (without them the requests have neither)."""
    today = timezone.localdate()
    people = {
        key: {
            "office": Office.objects.select_related("district__province").get(
                district__name=district, kind=Office.Kind.CHILD_PROTECTION
            ),
            "requester": User.objects.get(email=demo_email(requester)),
            "coordinator": User.objects.get(email=demo_email(coordinator)),
        }
        for key, (district, requester, coordinator, _prefix) in OFFICES.items()
    }
    roster = _roster()
    provinces = {key: who["office"].district.province.slug for key, who in people.items()}
    built: dict[tuple[str, str], MediationRequest] = {}
    plans = []
    for row in _spec_rows(today):
        who = people[row["office"]]
        office = who["office"]
        service, setting, languages, countries, adults, minors, goal, sessions, minutes, mode, place, gender, notes = (
            row["case"]
        )
        status = row["status"]
        history, reason = _life(row, today)
        urgent = row["index"] % 4 == 1 and status not in {"draft", "completed", "evaluated"}
        if urgent and status in OPEN_URGENT:
            deadline = today + timedelta(days=5 + row["index"] % 10)
        elif urgent:
            deadline = row["created"].date() + timedelta(days=10)
        else:
            deadline = None
        submitted_at = next((at for _f, to, _w, at in history if to == "submitted"), None)
        candidates = _candidates(
            roster,
            district=office.district.name,
            province=provinces[row["office"]],
            languages=languages,
            mode=mode,
            gender=gender,
            past=status in DONE or status == Status.CANCELLED,
        )
        reached = {to for _f, to, _w, _at in history}
        mediator = candidates[0] if candidates and "assigned" in reached else None
        values = {
            "requester": who["requester"],
            "service_kind": service,
            "setting": setting,
            "preferred_gender": gender,
            "urgency": Urgency.URGENT if urgent else Urgency.ORDINARY,
            "deadline": deadline,
            "adults": adults,
            "minors": minors,
            "goal": goal,
            "expected_sessions": sessions,
            "session_minutes": minutes,
            "mode": mode,
            "place": place,
            "sensitive_notes": notes,
            "status": status,
            "assigned_mediator": mediator,
            "copied_from": None,
            "created_at": row["created"],
            "updated_at": history[-1][3] if history else row["created"] + timedelta(minutes=20),
            "submitted_at": submitted_at,
        }
        request = MediationRequest.objects.filter(office=office, case_code=row["case_code"]).first()
        if request is None:
            request = MediationRequest.objects.create(office=office, case_code=row["case_code"], **values)
        # ``update`` leaves ``auto_now`` alone: the times are the demo's, and a second run writes the same values.
        MediationRequest.objects.filter(pk=request.pk).update(**values)
        request.refresh_from_db()

        _replace_if_changed(request.languages, [{"code": c, "variant": v} for c, v in languages], ["code", "variant"])
        _replace_if_changed(request.countries, [{"code": c} for c in sorted(countries)], ["code"])
        _replace_if_changed(
            request.slots,
            [{"starts_at": s, "ends_at": e} for s, e in _slots(row, today, history)],
            ["starts_at", "ends_at"],
        )
        _replace_if_changed(
            request.history,
            [
                {
                    "from_status": previous,
                    "to_status": target,
                    "by_id": who[actor].pk,
                    "at": at,
                    "reason": reason if target in {"rejected", "cancelled"} else "",
                }
                for previous, target, actor, at in history
            ],
            ["from_status", "to_status", "by_id", "at", "reason"],
            fixed_times="at",
        )
        conversation = CONVERSATIONS.get(status, []) if row["nth_of_status"] == 1 else []
        start = submitted_at or row["created"]
        # A few hours apart, the last one yesterday evening at the latest (a request submitted yesterday).
        latest = _latest(today)
        _replace_if_changed(
            request.comments,
            [
                {
                    "author_id": who[actor].pk,
                    "body": body,
                    "created_at": min(
                        start + timedelta(hours=5 + 20 * n), latest - timedelta(hours=len(conversation) - 1 - n)
                    ),
                }
                for n, (actor, body) in enumerate(conversation)
            ],
            ["author_id", "body", "created_at"],
            fixed_times="created_at",
        )
        _replace_if_changed(
            request.offers,
            _offer_rows(row, history, candidates, today, who["coordinator"]),
            OFFER_FIELDS,
            fixed_times="created_at",
        )
        plans.append((row, request, mediator, history, who["coordinator"]))
        built[(row["office"], request.case_code)] = request

    _sync_appointments(_appointment_rows(plans, roster, today))
    # A series of yesterday's run on a request that no longer has one (its occurrences went with the sync).
    AppointmentSeries.objects.filter(request__in=[request for _row, request, *_rest in plans]).exclude(
        occurrences__isnull=False
    ).delete()
    _request_again(built, people["cremona"]["office"])
    return built


def _request_again(built: dict, office: Office) -> None:
    """One draft of Cremona was made with "request again" from a closed request: it points to it."""
    closed = [r for (key, _code), r in built.items() if key == "cremona" and r.status == Status.CLOSED]
    drafts = [r for (key, _code), r in built.items() if key == "cremona" and r.status == Status.DRAFT]
    if closed and drafts:
        MediationRequest.objects.filter(pk=drafts[-1].pk).update(copied_from=closed[0])
        drafts[-1].copied_from = closed[0]


# --- Offers and appointments ------------------------------------------------------------------------------------------


def _latest(today: date) -> datetime:
    """Nothing in the demo's past happens later than this (the history's last steps included): yesterday evening, so
    that it is past at any hour of today, 0:30 or the night the clocks change included (the demo's rows depend on
    the day only, never on the hour it is loaded)."""
    return _local(today - timedelta(days=1), time(20, 0))


@dataclass
class _Person:
    """A demo mediator as the demo's own matching sees them (one read of the roster, no query per request)."""

    mediator: Mediator
    order: int
    languages: list[tuple[str, str]]
    districts: set[str]
    province: str
    modes: set[str]
    absences: list[tuple[date, date]]


def _roster() -> list[_Person]:
    """The demo mediators in the order of their table (a fixed order, whatever their ids)."""
    order = {}
    for index, spec in enumerate(mediators_demo.MEDIATORS):
        first, last, *_rest, username = spec
        order[demo_email(username) if username else mediators_demo.mediator_email(first, last)] = index
    people = []
    mediators = (
        Mediator.objects.filter(email__in=order)
        .select_related("provider__province")
        .prefetch_related("languages", "districts", "absences")
    )
    for mediator in mediators:
        modes = {IP} if mediator.mode_in_person else set()
        modes |= {PH} if mediator.mode_phone else set()
        modes |= {VI} if mediator.mode_video else set()
        people.append(
            _Person(
                mediator=mediator,
                order=order[mediator.email],
                languages=[(lang.code, lang.variant) for lang in mediator.languages.all()],
                districts={district.name for district in mediator.districts.all()},
                province=mediator.provider.province.slug,
                modes=modes,
                absences=[(a.start_date, a.end_date) for a in mediator.absences.all()],
            )
        )
    return sorted(people, key=lambda person: person.order)


def _same_variant(asked: str, spoken: str) -> bool:
    asked, spoken = asked.casefold(), spoken.casefold()
    return bool(asked and spoken) and (asked in spoken or spoken in asked)


def _candidates(
    roster: list[_Person], *, district: str, province: str, languages, mode: str, gender: str, past: bool
) -> list[Mediator]:
    """Who the coordinator would have offered the request to, best first.

    Mediators who speak one of its languages, serve its district and work in its mode; only when nobody does, the
    province's, then anyone's. A past request may have gone to a mediator who has since left (inactive). The demo
    users' own profiles come first, so that their pages show work; then the variant, the preferred gender."""
    codes = {code for code, _variant in languages}
    pools = [
        lambda p: district in p.districts and mode in p.modes,
        lambda p: p.province == province and mode in p.modes,
        lambda p: mode in p.modes,
        lambda p: True,
    ]
    found: list[_Person] = []
    for fits in pools:
        found = [
            p
            for p in roster
            if codes & {code for code, _v in p.languages} and fits(p) and (p.mediator.is_active or past)
        ]
        if found:
            break

    def variant(person: _Person) -> bool:
        return any(_same_variant(v, pv) for c, v in languages for pc, pv in person.languages if c == pc)

    found.sort(
        key=lambda p: (
            p.mediator.user_id is None,
            not variant(p),
            bool(gender) and p.mediator.gender != gender,
            not p.mediator.is_active,
            p.order,
        )
    )
    return [p.mediator for p in found]


OFFER_FIELDS = [
    "mediator_id",
    "status",
    "tier",
    "release_at",
    "expires_at",
    "answered_at",
    "decline_reason",
    "by_phone",
    "created_by_id",
    "recorded_by_id",
    "link_nonce",
    "created_at",
]


def _offer_rows(row: dict, history, candidates: list[Mediator], today: date, coordinator: User) -> list[dict]:
    """The offers of a request, consistent with its history: a first round (answered within a day) before a second
    one (within two days, a second tier a day later), as the coordinator makes them with the offers page."""
    at = {target: when for _previous, target, _who, when in history}
    if "matching" not in at or not candidates:
        return []
    latest = _latest(today)
    first_round = min(at["matching"] + timedelta(hours=2), latest)
    second_round = min(at["matching"] + timedelta(hours=30), latest)
    index = row["index"]

    def offer(mediator, status, *, release, hours, tier=1, made=None, answered=None, reason="", by_phone=False):
        sent_by_link = status in {Offer.Status.OPEN, Offer.Status.QUEUED}
        nonce = hashlib.sha256(f"demo-offer:{row['case_code']}:{mediator.email}".encode()).hexdigest()[:32]
        return {
            "mediator_id": mediator.pk,
            "status": status,
            "tier": tier,
            "release_at": release,
            "expires_at": release + timedelta(hours=hours),
            "answered_at": answered,
            "decline_reason": reason,
            "by_phone": by_phone,
            "created_by_id": coordinator.pk,
            "recorded_by_id": coordinator.pk if by_phone else None,
            "link_nonce": nonce if sent_by_link else "",
            "created_at": min(made or release, latest),
        }

    def first(mediator, kind, n):
        if kind == "declined":
            answered = min(first_round + timedelta(hours=5 + 2 * n), latest)
            reason = DECLINE_REASONS[(index + n) % len(DECLINE_REASONS)]
            return offer(
                mediator, Offer.Status.DECLINED, release=first_round, hours=24, answered=answered, reason=reason
            )
        return offer(mediator, Offer.Status.EXPIRED, release=first_round, hours=24)

    rows = []
    if "assigned" in at:
        assigned = at["assigned"]
        rows.append(
            offer(
                candidates[0],
                Offer.Status.ACCEPTED,
                release=second_round,
                hours=48,
                answered=assigned,
                by_phone=index % 3 == 0,
            )
        )
        for n, mediator in enumerate(candidates[1:4], start=1):
            kind = OTHER_OFFERS[(index + n) % len(OTHER_OFFERS)]
            if kind == "withdrawn":
                # A second tier, still waiting or open when the first acceptance withdrew it.
                rows.append(
                    offer(
                        mediator,
                        Offer.Status.WITHDRAWN,
                        tier=2,
                        release=min(second_round + timedelta(hours=24), assigned),
                        made=second_round,
                        hours=48,
                        answered=assigned,
                    )
                )
            else:
                rows.append(first(mediator, kind, n))
    elif row["status"] == Status.CANCELLED:
        cancelled = at["cancelled"]
        rows.append(first(candidates[0], "expired", 0))
        for n, mediator in enumerate(candidates[1:4], start=1):
            if n == 1:
                rows.append(first(mediator, "declined", n))
            else:
                rows.append(offer(mediator, Offer.Status.WITHDRAWN, release=second_round, hours=72, answered=cancelled))
    else:
        # Still looking: the second round is open now, its second tier waits for its turn.
        sent = min(max(second_round, _local(today - timedelta(days=1), time(9, 0))), latest)
        rows.append(offer(candidates[0], Offer.Status.OPEN, release=sent, hours=72))
        pattern = MATCHING_OFFERS[(row["nth_of_status"] - 1) % len(MATCHING_OFFERS)]
        for n, mediator in enumerate(candidates[1:4], start=1):
            kind = pattern[n - 1]
            if kind == "open":
                rows.append(offer(mediator, Offer.Status.OPEN, release=sent, hours=72))
            elif kind == "queued":
                rows.append(
                    offer(
                        mediator, Offer.Status.QUEUED, tier=2, release=sent + timedelta(hours=48), made=sent, hours=72
                    )
                )
            else:
                rows.append(first(mediator, kind, n))
    return rows


@dataclass
class _Diary:
    """The demo mediators' time: no two appointments of one mediator overlap (cancelled ones included, so that the
    calendar stays readable), in-person ones in different places keep the travel buffer, absences are respected."""

    buffer: timedelta
    busy: dict[int, list[tuple[datetime, datetime, str, str]]] = field(default_factory=dict)
    away: dict[int, list[tuple[date, date]]] = field(default_factory=dict)

    def add(self, mediator_id: int, starts: datetime, ends: datetime, place: str, mode: str) -> None:
        self.busy.setdefault(mediator_id, []).append((starts, ends, place.strip().casefold(), mode))

    def is_free(self, mediator_id: int, starts: datetime, ends: datetime, place: str, mode: str) -> bool:
        place = place.strip().casefold()
        for other_starts, other_ends, other_place, other_mode in self.busy.get(mediator_id, []):
            if starts < other_ends and other_starts < ends:
                return False
            travel = mode == IP and other_mode == IP and place != other_place
            if travel and starts < other_ends + self.buffer and other_starts < ends + self.buffer:
                return False
        return True

    def book(
        self,
        mediator_id: int,
        *,
        day: date,
        start: time,
        minutes: int,
        place: str,
        mode: str,
        earliest,
        latest,
        step,
        weekend: bool = False,
    ) -> tuple[datetime, datetime] | None:
        """The first free time from ``day`` (going ``step`` days at a time) between ``earliest`` and ``latest``, on
        working days (and on Saturdays and Sundays too with ``weekend``)."""
        day = max(day, earliest)
        if latest is not None:
            day = min(day, latest)
        times = [start] + [time(hour, minute) for hour in range(8, 18) for minute in (0, 30)]
        for _attempt in range(40):
            if day < earliest or (latest is not None and day > latest):
                return None
            away = any(first <= day <= last for first, last in self.away.get(mediator_id, []))
            if (day.weekday() < 5 or weekend) and not away:
                for at in times:
                    starts = _local(day, at)
                    ends = starts + timedelta(minutes=minutes)
                    if ends > _local(day, time(19, 0)):
                        continue
                    if self.is_free(mediator_id, starts, ends, place, mode):
                        self.add(mediator_id, starts, ends, place, mode)
                        return starts, ends
            day += timedelta(days=step)
        return None


APPOINTMENT_FIELDS = [
    "series_id",
    "mediator_id",
    "starts_at",
    "ends_at",
    "place",
    "mode",
    "status",
    "cancel_reason",
    "cancelled_at",
    "late_cancellation",
    "created_by_id",
    "created_at",
    "updated_at",
]

# One weekly series: the first scheduled request of assistente.cremona's office with mediatore.cremona meets the
# family every week for six weeks, from the week after next (the request's own appointments are this and next week).
SERIES_WEEKS = 6
SERIES_FIRST_WEEK = 2
SERIES_TIME = time(16, 0)


def _series_rows(request, mediator, coordinator, diary, today: date) -> list[dict]:
    """The demo's weekly series and its occurrences (a week whose time is taken is left out, as the planning page
    lets a coordinator do). The series row is kept or brought up to date; the occurrences go through the sync."""
    monday = today - timedelta(days=today.weekday()) + timedelta(weeks=SERIES_FIRST_WEEK)
    day = monday + timedelta(days=1)  # Tuesdays
    first = _local(day, SERIES_TIME)
    planned, _created = AppointmentSeries.objects.update_or_create(
        request=request,
        defaults={
            "mediator_id": mediator.pk,
            "interval_weeks": 1,
            "first_starts_at": first,
            "until": day + timedelta(weeks=SERIES_WEEKS - 1),
            "created_by_id": coordinator.pk,
        },
    )
    created_at = _local(today - timedelta(days=2), time(9, 0))
    place = request.place or request.office.name
    rows = []
    for week in range(SERIES_WEEKS):
        starts = _local(day + timedelta(weeks=week), SERIES_TIME)
        ends = starts + timedelta(minutes=request.session_minutes or 60)
        if not diary.is_free(mediator.pk, starts, ends, place, request.mode):
            continue
        diary.add(mediator.pk, starts, ends, place, request.mode)
        rows.append(
            {
                "series_id": planned.pk,
                "mediator_id": mediator.pk,
                "starts_at": starts,
                "ends_at": ends,
                "place": place if request.mode == IP else "",
                "mode": request.mode,
                "status": Appointment.Status.PLANNED,
                "cancel_reason": "",
                "cancelled_at": None,
                "late_cancellation": False,
                "created_by_id": coordinator.pk,
                "created_at": created_at,
                "updated_at": created_at,
            }
        )
    return rows


def _session_kinds(row: dict, done_number: int) -> list[tuple[str, int | tuple[int, int | None]]]:
    """What became of each appointment of a request, with the day it falls on: days after the scheduling step for a
    finished request, (week, weekday) from this week for a scheduled one (:data:`SCHEDULED_SESSIONS`)."""
    sessions = row["case"][7]
    if row["status"] == Status.SCHEDULED:
        count = min(max(sessions, 3), 4)
        kinds = [(kind, (week, weekday)) for kind, week, weekday in SCHEDULED_SESSIONS[count]]
        if row["nth_of_status"] == 2:
            kinds.append(("void", (1, 4)))
        return kinds
    kinds = ["held"] * min(max(sessions, 1), 4)
    if len(kinds) >= 2 and done_number % 3 == 0:
        kinds[1] = "no_show"
    if done_number % 4 == 1:
        kinds.insert(len(kinds) - 1, "late")
    elif done_number % 4 == 3:
        kinds.insert(1, "early")
    if done_number % 5 == 2:
        kinds.insert(0, "void")
    return [(kind, 3 + 5 * n) for n, kind in enumerate(kinds)]


def _scheduled_booking(kind: str, week: int, weekday: int | None, today: date, scheduled: date, showcase: bool) -> dict:
    """Where the diary looks for a session of a scheduled request (see :data:`SCHEDULED_SESSIONS`): the day it tries
    first, the direction and the bounds. Only the days of the calendar count, never the hour: the demo gives the
    same rows all day long, and nothing planned has started, nothing held is still to come, at any hour."""
    monday = today - timedelta(days=today.weekday())
    tomorrow = today + timedelta(days=1)
    if kind == "held":
        # Back from that day (from yesterday when it has not come yet: on a Monday, "earlier this week" is Friday).
        day = min(monday + timedelta(weeks=week, days=weekday), today - timedelta(days=1))
        return {"day": day, "earliest": scheduled + timedelta(days=1), "latest": today - timedelta(days=1), "step": -1}
    if weekday is not THIS_WEEK:
        return {"day": monday + timedelta(weeks=week, days=weekday), "earliest": tomorrow, "latest": None, "step": 1}
    # This week's: the first working day after today; for the showcase on a Friday or a Saturday, the weekend day
    # after it. On a Sunday tomorrow is already next week's Monday.
    weekend = showcase and tomorrow.weekday() >= 5
    return {"day": tomorrow, "earliest": tomorrow, "latest": None, "step": 1, "weekend": weekend}


def _appointment_rows(plans: list[tuple], roster: list[_Person], today: date) -> dict[int, list[dict]]:
    """The appointments of every demo request with a mediator, by request id, booked in the mediators' diaries."""
    latest = _latest(today)
    diary = _Diary(buffer=timedelta(minutes=settings.TRAVEL_BUFFER_MINUTES))
    for person in roster:
        diary.away[person.mediator.pk] = person.absences
    # Appointments made in the portal on other requests stay: the demo's must not overlap them either.
    ids = [request.pk for _row, request, *_rest in plans]
    others = Appointment.objects.exclude(request__in=MediationRequest.objects.filter(pk__in=ids))
    for mediator_id, starts, ends, place, mode in others.exclude(status__in=["cancelled", "void"]).values_list(
        "mediator_id", "starts_at", "ends_at", "place", "mode"
    ):
        diary.add(mediator_id, starts, ends, place, mode)

    wanted: dict[int, list[dict]] = {}
    done_number = 0
    series_request = next(
        (
            request.pk
            for row, request, mediator, _history, _coordinator in plans
            if row["status"] == Status.SCHEDULED
            and row["office"] == "cremona"
            and mediator is not None
            and mediator.email == demo_email("mediatore.cremona")
        ),
        None,
    )
    series_wanted = []
    for row, request, mediator, history, coordinator in plans:
        wanted[request.pk] = []
        if mediator is None or row["status"] not in DONE | {Status.SCHEDULED}:
            continue
        at = {target: when for _previous, target, _who, when in history}
        scheduled = at["scheduled"]
        if row["status"] in DONE:
            done_number += 1
        place = request.place or (request.office.name if request.mode == IP else "")
        if request.mode != IP:
            place = ""
        showcase = row["office"] == "cremona" and mediator.email == demo_email("mediatore.cremona")
        for n, (kind, offset) in enumerate(_session_kinds(row, done_number)):
            start = START_TIMES[(row["index"] + n) % len(START_TIMES)]
            if row["status"] == Status.SCHEDULED:
                week, weekday = offset
                where = _scheduled_booking(kind, week, weekday, today, scheduled.date(), showcase)
                booked = diary.book(
                    mediator.pk,
                    start=start,
                    minutes=request.session_minutes,
                    place=place,
                    mode=request.mode,
                    **where,
                )
            else:
                booked = diary.book(
                    mediator.pk,
                    day=scheduled.date() + timedelta(days=offset),
                    start=start,
                    minutes=request.session_minutes,
                    place=place,
                    mode=request.mode,
                    earliest=scheduled.date() + timedelta(days=1),
                    latest=at["completed"].date() - timedelta(days=1),
                    step=1,
                )
            if booked is None:
                continue
            starts, ends = booked
            values = {
                "series_id": None,
                "mediator_id": mediator.pk,
                "starts_at": starts,
                "ends_at": ends,
                "place": place,
                "mode": request.mode,
                "status": Appointment.Status.PLANNED,
                "cancel_reason": "",
                "cancelled_at": None,
                "late_cancellation": False,
                "created_by_id": coordinator.pk,
                "created_at": scheduled,
                "updated_at": scheduled,
            }
            if kind in {"held", "no_show"}:
                values["status"] = Appointment.Status.HELD if kind == "held" else Appointment.Status.NO_SHOW
                values["updated_at"] = min(ends + timedelta(hours=2), latest)
            elif kind in {"late", "early"}:
                cancelled = starts - (timedelta(hours=5) if kind == "late" else timedelta(days=3))
                values.update(
                    status=Appointment.Status.CANCELLED,
                    cancel_reason=LATE_CANCEL_REASON if kind == "late" else EARLY_CANCEL_REASON,
                    cancelled_at=max(cancelled, scheduled),
                    late_cancellation=kind == "late",
                    updated_at=max(cancelled, scheduled),
                )
            elif kind == "void":
                voided = min(scheduled + timedelta(hours=2), latest) if row["status"] in DONE else latest
                values.update(
                    status=Appointment.Status.VOID,
                    cancel_reason=VOID_REASON,
                    cancelled_at=voided,
                    created_at=voided - timedelta(hours=1),
                    updated_at=voided,
                )
            wanted[request.pk].append(values)
        if request.pk == series_request:
            series_wanted = (request, mediator, coordinator)
    if series_wanted:
        request, mediator, coordinator = series_wanted
        wanted[request.pk] += _series_rows(request, mediator, coordinator, diary, today)
    return wanted


def _sync_appointments(wanted: dict[int, list[dict]]) -> None:
    """Bring each request's appointments to ``wanted``, leaving alone the requests already right.

    Two passes: every stale appointment goes before any new one is written, so that on PostgreSQL the exclusion
    constraint never compares a new appointment with one of yesterday's run that is about to go anyway."""
    current: dict[int, list[dict]] = {pk: [] for pk in wanted}
    for values in (
        Appointment.objects.filter(request_id__in=list(wanted)).order_by("pk").values("request_id", *APPOINTMENT_FIELDS)
    ):
        current[values.pop("request_id")].append(values)
    stale = [pk for pk, rows in wanted.items() if current[pk] != rows]
    if not stale:
        return
    Appointment.objects.filter(request_id__in=stale).delete()
    for pk in stale:
        for values in wanted[pk]:
            times = {"created_at": values["created_at"], "updated_at": values["updated_at"]}
            created = Appointment.objects.create(request_id=pk, **values)
            # ``auto_now`` and ``auto_now_add`` wrote this run's time: put back the demo's.
            Appointment.objects.filter(pk=created.pk).update(**times)
