"""Demo training course: "Famiglie immigrate e modelli familiari" of the province of Cremona, four sessions of four
hours a fortnight apart (three already held relative to the demo's clock, one to come), with nominees of each
district of Cremona (Cremona, Crema, Casalmaggiore: portal users and external people), every nomination confirmed,
the registers of the sessions held, and the certificates of those who reached 75 % (the mediators among them find the
course in their registry profile).

Idempotent: the course is found again by its province and title; its sessions and registers are written again,
nominations are found by e-mail.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.demo import demo_email
from accounts.models import District, Province, Role, User
from accounts.scoping import Actor

from . import selectors, services
from .models import Course, Module, Nomination, Session

TITLE = "Famiglie immigrate e modelli familiari"
MODULES = [
    "Migrazioni e famiglie: dati e percorsi",
    "Modelli familiari e ruoli di genere nelle culture d'origine",
    "Genitorialità a distanza e ricongiungimenti",
    "Lavorare con la famiglia: il mediatore nel colloquio",
]
TRAINERS = ["Prof.ssa Marta Bellini", "Dott. Karim Haddad", "Dott.ssa Lucia Conti", "Dott.ssa Fatima Benali"]
PLACE = "Sala Maffei, Palazzo della Provincia, corso Vittorio Emanuele II 17, Cremona"
ONLINE = "https://meet.example.org/corso-famiglie-cremona"
# (district, demo username or None, name, organisation, e-mail, sessions present among those held)
NOMINEES = [
    ("Cremona", "assistente.cremona", None, None, None, 3),
    ("Cremona", "coordinatore.cremona", None, None, None, 2),
    ("Cremona", "mediatore.cremona", None, None, None, 3),
    ("Cremona", None, "Stefania Ghisolfi", "Consultorio Familiare – Cremona", "s.ghisolfi@example.org", 3),
    ("Crema", "assistente.crema", None, None, None, 3),
    ("Crema", "mediatore.crema", None, None, None, 2),
    ("Crema", None, "Davide Premoli", "Istituto Comprensivo Crema Due", "d.premoli@example.org", 1),
    ("Casalmaggiore", None, "Roberta Pedrazzini", "Consorzio Casalasco Servizi Sociali", "r.pedrazzini@example.org", 3),
    ("Casalmaggiore", None, "Youssef Amrani", "Cooperativa Il Ponte", "y.amrani@example.org", 3),
    ("Casalmaggiore", None, "Ilaria Bodini", "Comune di Casalmaggiore", "i.bodini@example.org", 0),
]
ADMIN = Actor(user=None, role=Role.ADMINISTRATOR)


@transaction.atomic
def build() -> None:
    province = Province.objects.filter(slug="cremona").first()
    if province is None:
        return
    course, _ = Course.objects.update_or_create(
        province=province,
        title=TITLE,
        defaults={
            "description": (
                "Percorso formativo del progetto per gli operatori degli ambiti: le famiglie immigrate, i loro "
                "modelli familiari e il lavoro con i mediatori linguistico-culturali."
            ),
            "places_per_district": 6,
            "threshold_percent": 75,
            "signed_by": "Chiara Lombardi, Settore Politiche Sociali",
        },
    )
    course.sessions.all().delete()
    course.modules.all().delete()
    today = timezone.localdate()
    modules = [Module.objects.create(course=course, title=t, position=i) for i, t in enumerate(MODULES)]
    for i, module in enumerate(modules):
        day = today + timedelta(days=14 * (i - 3) + 3)  # three held (38, 24, 10 days ago), one in four days
        starts = timezone.make_aware(datetime.combine(day, time(9, 30)))
        Session.objects.create(
            course=course,
            module=module,
            starts_at=starts,
            ends_at=starts + timedelta(hours=4),
            place=PLACE,
            online_url=ONLINE if i == 2 else "",
            trainer=TRAINERS[i],
            hours=Decimal("4.0"),
        )
    sessions = selectors.sessions_of(course)
    held = [s for s in sessions if s.starts_at <= timezone.now()]
    districts = {d.name: d for d in District.objects.filter(province=province)}
    by_count: dict[int, set[int]] = {}
    for district_name, username, name, organisation, email, present in NOMINEES:
        district = districts[district_name]
        user = User.objects.filter(email=demo_email(username)).first() if username else None
        kind = Nomination.Kind.OTHER
        if user is not None:
            kind = dict((u.pk, k) for u, k in selectors.candidates(district)).get(user.pk, Nomination.Kind.OTHER)
            name, organisation, email = user.get_full_name(), district.managing_body, user.email
        nomination, _ = Nomination.objects.update_or_create(
            course=course,
            email=email,
            defaults={
                "district": district,
                "user": user,
                "full_name": name,
                "organisation": organisation,
                "kind": kind,
                "status": Nomination.Status.CONFIRMED,
                "confirmed_at": timezone.now() - timedelta(days=45),
            },
        )
        by_count.setdefault(present, set()).add(nomination.pk)
    for index, session in enumerate(held):
        present = {pk for count, pks in by_count.items() if count > index for pk in pks}
        services.attendance_mark(actor=ADMIN, session=session, present_ids=present)
    services.certificates_issue(actor=ADMIN, course=course)
