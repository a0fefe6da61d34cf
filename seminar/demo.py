"""Demo public seminar of Cremona: this year's edition three weeks ahead of the demo clock (places nearly all
taken, a waiting list, one registration still waiting for its e-mail confirmation) and last edition, 40 days ago,
with its check-ins (so the accountability report has figures).

Idempotent: seminars are found again by their short name, registrations by seminar and e-mail, and rewritten in
place. Written behind the services' backs (no e-mail is sent to the demo's invented people).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Province

from .models import Registration, Seminar

PROGRAMME = """9:30 Accoglienza e registrazione dei partecipanti
10:00 Saluti della Provincia di Cremona
10:15 Le famiglie immigrate in provincia: numeri e tendenze
11:00 Scuola, salute, casa: cosa cambia per i bambini
12:00 Tavola rotonda con i mediatori culturali dei distretti
13:00 Chiusura"""
SPEAKERS = """Dott.ssa Anna Ferrari, sociologa, Università di Pavia
Dott. Karim Benali, mediatore culturale, Distretto di Cremona
Dott.ssa Lucia Galli, pediatra, ASST di Cremona"""
ACCESSIBILITY = (
    "Sala al piano terra, accessibile in sedia a rotelle; servizi igienici accessibili. Interpretariato in LIS e "
    "sottotitoli su richiesta entro una settimana dall'evento. Parcheggio riservato in Via Solferino."
)
ROLES = ["social_worker", "teacher", "health", "mediator", "association", "citizen", "social_worker", "teacher"]
ORGANISATIONS = ["Comune di Cremona", "IC Cremona Uno", "ASST di Cremona", "Cooperativa Mediando", "Caritas Cremonese",
                 "", "Comune di Crema", "Liceo Anguissola"]  # fmt: skip
NAMES = ["Giulia Rossi", "Marco Bianchi", "Sara Colombo", "Ahmed El Amrani", "Elena Ricci", "Paolo Marino",
         "Fatima Diallo", "Luca Greco", "Chiara Bruno", "Olga Kovalenko", "Davide Gallo", "Marta Conti",
         "Youssef Haddad", "Francesca Costa", "Andrea Fontana", "Irina Popescu", "Matteo Moretti", "Anna Lombardi",
         "Samir Khan", "Valentina Esposito", "Roberto Mancini", "Li Wei", "Silvia Barbieri",
         "Giorgio Testa"]  # fmt: skip


def _at(day, hour) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _seminar(province, slug, title, day, capacity) -> Seminar:
    seminar, _created = Seminar.objects.update_or_create(
        slug=slug,
        defaults={
            "province": province,
            "title": title,
            "starts_at": _at(day, 9),
            "ends_at": _at(day, 13),
            "place": "Sala Maffei, Camera di Commercio di Cremona",
            "address": "Piazza Stradivari 5, 26100 Cremona",
            "programme": PROGRAMME,
            "speakers": SPEAKERS,
            "accessibility": ACCESSIBILITY,
            "capacity": capacity,
            "registration_open": True,
        },
    )
    return seminar


def _people(seminar, count, *, status, start=0, checked_in=(), at=None):
    for i in range(start, start + count):
        name = NAMES[i % len(NAMES)]
        email = f"{name.lower().replace(' ', '.')}@example.org"
        Registration.objects.update_or_create(
            seminar=seminar,
            email=email,
            defaults={
                "name": name,
                "organisation": ORGANISATIONS[i % len(ORGANISATIONS)],
                "role": ROLES[i % len(ROLES)],
                "status": status,
                "confirmed_at": None if status == Registration.Status.UNCONFIRMED else at + timedelta(minutes=i),
                "checked_in_at": seminar.starts_at - timedelta(minutes=20 - i % 20) if i in checked_in else None,
            },
        )


# Days an Italian province would not hold a seminar: the national holidays and the Christmas and August breaks.
HOLIDAYS = {(1, 1), (1, 6), (4, 25), (5, 1), (6, 2), (8, 15), (11, 1), (12, 8), (12, 25), (12, 26)}


def _working_day(day, step: int):
    """``day``, or the nearest Tuesday, Wednesday or Thursday from it (``step`` +1 later, -1 earlier) outside the
    holidays and the breaks (20 December to 6 January, August): a demo seminar is never on Christmas Day."""
    while (
        day.weekday() not in (1, 2, 3)
        or (day.month, day.day) in HOLIDAYS
        or day.month == 8
        or (day.month == 12 and day.day >= 20)
        or (day.month == 1 and day.day <= 6)
    ):
        day += timedelta(days=step)
    return day


@transaction.atomic
def build() -> dict[str, Seminar]:
    """The demo seminars. Needs the provinces of the accounts builder."""
    cremona = Province.objects.filter(slug="cremona").first()
    if cremona is None:
        return {}
    today = timezone.localdate()
    title = "La condizione delle famiglie immigrate"
    upcoming = _seminar(cremona, "famiglie-immigrate-cremona", title, _working_day(today + timedelta(days=21), +1), 20)
    past = _seminar(cremona, "famiglie-immigrate-cremona-precedente", f"{title} (edizione precedente)",
                    _working_day(today - timedelta(days=40), -1), 20)  # fmt: skip
    opened = timezone.now() - timedelta(days=10)
    _people(upcoming, 20, status=Registration.Status.CONFIRMED, at=opened)
    _people(upcoming, 3, status=Registration.Status.WAITING, start=20, at=opened + timedelta(days=1))
    _people(upcoming, 1, status=Registration.Status.UNCONFIRMED, start=23)
    came = set(range(16))
    _people(past, 18, status=Registration.Status.CONFIRMED, checked_in=came, at=past.starts_at - timedelta(days=20))
    return {"upcoming": upcoming, "past": past}
