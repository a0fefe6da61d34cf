"""Demo requests: 64 mediation requests of the child-protection offices of Cremona, Crema and Bergamo over the last
two years, in every status, with languages, countries, proposed times, their history and a few comments.

Idempotent: a request is keyed on (office, case code), and every row it owns is brought to a fixed list. Dates are
counted back from today (a demo should look current), so running it twice on the same day gives exactly the same
rows; on a later day the dates move with the calendar, and nothing piles up. No randomness: the variety comes from
the tables below and the position of each request in them.

No real person is described: the family is a case code, household counts, countries and languages, as in the
portal itself; the people who act are the demo users.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.demo import demo_email
from accounts.models import Office, User

from .models import (
    MediationRequest,
    ServiceKind,
    Status,
    Urgency,
)

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
    "scheduled": (15, 60),
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
    latest = _local(today, time(7, 0)) - timedelta(hours=1)
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
    """The demo requests, by (office key, case code). Needs the users of :func:`accounts.demo.build`."""
    today = timezone.localdate()
    people = {
        key: {
            "office": Office.objects.get(district__name=district, kind=Office.Kind.CHILD_PROTECTION),
            "requester": User.objects.get(email=demo_email(requester)),
            "coordinator": User.objects.get(email=demo_email(coordinator)),
        }
        for key, (district, requester, coordinator, _prefix) in OFFICES.items()
    }
    built: dict[tuple[str, str], MediationRequest] = {}
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
        _replace_if_changed(
            request.comments,
            [
                {"author_id": who[actor].pk, "body": body, "created_at": start + timedelta(hours=5 + 20 * n)}
                for n, (actor, body) in enumerate(conversation)
            ],
            ["author_id", "body", "created_at"],
            fixed_times="created_at",
        )
        built[(row["office"], request.case_code)] = request

    _request_again(built, people["cremona"]["office"])
    return built


def _request_again(built: dict, office: Office) -> None:
    """One draft of Cremona was made with "request again" from a closed request: it points to it."""
    closed = [r for (key, _code), r in built.items() if key == "cremona" and r.status == Status.CLOSED]
    drafts = [r for (key, _code), r in built.items() if key == "cremona" and r.status == Status.DRAFT]
    if closed and drafts:
        MediationRequest.objects.filter(pk=drafts[-1].pk).update(copied_from=closed[0])
        drafts[-1].copied_from = closed[0]
