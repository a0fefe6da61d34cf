"""Demo organisations and users (the seeds' Province of Cremona and Province of Bergamo). Idempotent."""

from __future__ import annotations

from django.db import transaction

from .models import District, Funder, Membership, Office, Provider, Province, Role, User

DEMO_PASSWORD = "mediazione-demo"
DEMO_DOMAIN = "example.org"

PROVINCES = {
    "cremona": {
        "name": "Provincia di Cremona",
        "districts": {
            "Cremona": "Azienda Sociale del Cremonese",
            "Crema": "Comunità Sociale Cremasca",
            "Casalmaggiore": "Consorzio Casalasco Servizi Sociali",
        },
        "provider": "Cooperativa Sociale Ponti di Parole",
        "funder": "ASL Cremona",
    },
    "bergamo": {
        "name": "Provincia di Bergamo",
        "districts": {
            "Bergamo": "Ambito Territoriale di Bergamo",
            "Dalmine": "Azienda Speciale Consortile Ambito di Dalmine",
            "Seriate": "Ambito Territoriale di Seriate",
            "Treviglio": "Azienda Speciale Consortile Risorsa Sociale Gera d'Adda",
        },
        "provider": "Cooperativa Sociale Connecting",
        "funder": "ATS Bergamo",
    },
}

# Every district has a child-protection office; the Cremona districts also a basic social service and a
# family counselling centre, so that coordinators see more than one office.
OFFICES = [
    (Office.Kind.CHILD_PROTECTION, "Servizio Tutela Minori – {district}"),
    (Office.Kind.BASIC_SOCIAL_SERVICE, "Servizio Sociale di Base – {district}"),
]
EXTRA_OFFICES_CREMONA = [(Office.Kind.FAMILY_COUNSELLING, "Consultorio Familiare – {district}")]

# username: (first name, last name, role, province slug, district name)
USERS = {
    "assistente.cremona": ("Giulia", "Ferrari", Role.SOCIAL_WORKER, "cremona", "Cremona"),
    "assistente.crema": ("Marco", "Bianchi", Role.SOCIAL_WORKER, "cremona", "Crema"),
    "assistente.bergamo": ("Sara", "Colombo", Role.SOCIAL_WORKER, "bergamo", "Bergamo"),
    "coordinatore.cremona": ("Laura", "Rossi", Role.COORDINATOR, "cremona", "Cremona"),
    "coordinatore.crema": ("Paolo", "Galli", Role.COORDINATOR, "cremona", "Crema"),
    "coordinatore.bergamo": ("Elena", "Moretti", Role.COORDINATOR, "bergamo", "Bergamo"),
    "mediatore.cremona": ("Amina", "El Idrissi", Role.MEDIATOR, "cremona", "Cremona"),
    "mediatore.crema": ("Wei", "Zhang", Role.MEDIATOR, "cremona", "Crema"),
    "mediatore.bergamo": ("Oksana", "Kovalenko", Role.MEDIATOR, "bergamo", "Bergamo"),
    "provincia.cremona": ("Chiara", "Lombardi", Role.PROVINCE_STAFF, "cremona", None),
    "provincia.bergamo": ("Andrea", "Ricci", Role.PROVINCE_STAFF, "bergamo", None),
    "asl.cremona": ("Franco", "Donati", Role.FUNDER_VIEWER, "cremona", None),
    "admin": ("Amministratore", "Portale", Role.ADMINISTRATOR, None, None),
}


def demo_email(username: str) -> str:
    return f"{username}@{DEMO_DOMAIN}"


@transaction.atomic
def create_organisations() -> dict:
    """Provinces, districts, offices, providers and funders. Returns them by name for the other builders."""
    built: dict = {"provinces": {}, "districts": {}, "providers": {}, "funders": {}}
    for slug, spec in PROVINCES.items():
        province, _ = Province.objects.update_or_create(slug=slug, defaults={"name": spec["name"]})
        built["provinces"][slug] = province
        for name, body in spec["districts"].items():
            district, _ = District.objects.update_or_create(
                province=province, name=name, defaults={"managing_body": body}
            )
            built["districts"][name] = district
            offices = OFFICES + (EXTRA_OFFICES_CREMONA if slug == "cremona" else [])
            for kind, pattern in offices:
                Office.objects.update_or_create(
                    district=district,
                    name=pattern.format(district=name),
                    defaults={"kind": kind, "email": f"{kind.replace('_', '')}.{name.lower()}@{DEMO_DOMAIN}"},
                )
        provider, _ = Provider.objects.update_or_create(
            province=province, name=spec["provider"], defaults={"email": f"info.{slug}@{DEMO_DOMAIN}"}
        )
        built["providers"][slug] = provider
        funder, _ = Funder.objects.get_or_create(name=spec["funder"])
        funder.provinces.add(province)
        built["funders"][slug] = funder
    return built


@transaction.atomic
def create_users(built: dict) -> dict[str, User]:
    """The demo users, one role each, all with the password ``mediazione-demo``."""
    users = {}
    for username, (first, last, role, slug, district_name) in USERS.items():
        user, created = User.objects.get_or_create(
            email=demo_email(username), defaults={"first_name": first, "last_name": last}
        )
        user.first_name, user.last_name = first, last
        user.is_active = True
        user.is_staff = user.is_superuser = role == Role.ADMINISTRATOR
        if created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
        user.save()
        district = built["districts"].get(district_name)
        scope: dict = {}
        if role == Role.SOCIAL_WORKER:
            scope["office"] = Office.objects.get(district=district, kind=Office.Kind.CHILD_PROTECTION)
        elif role == Role.COORDINATOR:
            scope["district"] = district
        elif role == Role.MEDIATOR:
            scope["provider"] = built["providers"][slug]
        elif role == Role.PROVINCE_STAFF:
            scope["province"] = built["provinces"][slug]
        elif role == Role.FUNDER_VIEWER:
            scope["funder"] = built["funders"][slug]
        membership, _ = Membership.objects.get_or_create(user=user, role=role, **scope)
        if not membership.is_active:
            membership.is_active = True
            membership.save(update_fields=["is_active"])
        if role == Role.MEDIATOR:
            membership.districts.set([district])
        if user.active_membership_id is None:
            User.objects.filter(pk=user.pk).update(active_membership=membership)
        users[username] = user
    return users


def build() -> dict:
    built = create_organisations()
    built["users"] = create_users(built)
    return built
