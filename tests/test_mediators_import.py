"""Roster import: CSV and XLSX, every row checked, all or nothing, updates by e-mail, scope, command and web flow."""

from __future__ import annotations

import csv
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from accounts.scoping import actor_for
from core.errors import NotAllowed
from mediators import importing
from mediators.import_views import SESSION_KEY
from mediators.importing import ImportErrors
from mediators.models import Mediator, MediatorLanguage

from .factories import social_worker
from .mediator_factories import RosterMediatorFactory

EXAMPLE = Path(settings.BASE_DIR) / "docs" / "examples" / "mediators.csv"
PONTI = "Cooperativa Sociale Ponti di Parole"
CONNECTING = "Cooperativa Sociale Connecting"


def a_row(**changes) -> dict:
    """A correct row for the district of Cremona; ``changes`` make it what a test needs."""
    row = {
        "first_name": "Hanane",
        "last_name": "Amrani",
        "email": "h.amrani@example.org",
        "phone": "+39 0372 000111",
        "gender": "female",
        "provider": PONTI,
        "districts": "Cremona",
        "languages": "ara:Darija marocchina:mother_tongue|fra",
        "written_translation": "ara",
        "countries": "MA",
        "modes": "in_person|phone",
        "settings": "child_protection|school",
        "max_weekly_hours": "20",
        "hourly_rate": "22,50",
        "travel_rate": "0.35",
        "active": "sì",
        "cultural_areas": "Maghreb",
    }
    row.update(changes)
    return row


def three_rows(**bad) -> list[dict]:
    """Rows 2 and 4 are correct; row 3 carries ``bad``."""
    return [
        a_row(),
        a_row(**{"first_name": "Said", "last_name": "Ouali", "email": "s.ouali@example.org", "gender": "M", **bad}),
        a_row(first_name="Ilham", last_name="Rami", email="i.rami@example.org", languages="ara"),
    ]


def csv_bytes(rows: list[dict], *, delimiter: str = ",", bom: bool = False, columns=None) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns or list(rows[0]), delimiter=delimiter, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def xlsx_bytes(header: list[str], *rows: list) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def import_as(user, data: bytes, filename: str = "elenco.csv") -> importing.ImportResult:
    rows = importing.parse_file(filename=filename, data=data)
    return importing.mediators_import(actor=actor_for(user), rows=rows)


def errors_when_importing(user, data: bytes, filename: str = "elenco.csv") -> list[importing.RowError]:
    with translation.override("en"), pytest.raises(ImportErrors) as refused:
        import_as(user, data, filename)
    return refused.value.errors


def where(errors) -> set[tuple[int | None, str]]:
    return {(error.row, error.column) for error in errors}


@pytest.fixture
def world(demo_world):
    return demo_world


@pytest.fixture
def coordinator_cremona(world):
    return world["users"]["coordinatore.cremona"]


# --- Good files -------------------------------------------------------------------------------------------------------


def test_the_example_file_imports_cleanly_into_the_demo_data(world):
    before = Mediator.objects.count()
    rows = importing.parse_file(filename=EXAMPLE.name, data=EXAMPLE.read_bytes())

    result = importing.mediators_import(actor=importing.administrator_actor(), rows=rows)

    assert result.created >= 10 and result.updated == 0
    assert Mediator.objects.count() == before + result.created
    assert MediatorLanguage.objects.filter(code="zho", variant__icontains="wenzhou", mediator__email="x.hu@example.org")


def test_a_coordinator_imports_every_row_of_a_good_csv(coordinator_cremona, world):
    result = import_as(coordinator_cremona, csv_bytes(three_rows()))

    assert (result.created, result.updated) == (3, 0)
    hanane = Mediator.objects.get(email="h.amrani@example.org")
    assert hanane.provider.name == PONTI
    assert [d.name for d in hanane.districts.all()] == ["Cremona"]
    assert {(lang.code, lang.variant, lang.level, lang.written_translation) for lang in hanane.languages.all()} == {
        ("ara", "Darija marocchina", "mother_tongue", True),
        ("fra", "", "fluent", False),
    }
    assert [c.code for c in hanane.countries.all()] == ["MA"]
    assert hanane.modes() == ["in_person", "phone"] and hanane.settings() == ["child_protection", "school"]
    assert hanane.hourly_rate == Decimal("22.50") and hanane.travel_rate == Decimal("0.35")
    assert hanane.is_active and hanane.cultural_areas == "Maghreb"
    assert Mediator.objects.get(email="s.ouali@example.org").gender == "male"


def test_a_csv_with_semicolons_and_a_byte_order_mark_imports_too(coordinator_cremona):
    result = import_as(coordinator_cremona, csv_bytes(three_rows(), delimiter=";", bom=True))

    assert result.created == 3


def test_optional_columns_may_be_left_out_and_take_their_defaults(coordinator_cremona):
    required = ["first_name", "last_name", "email", "gender", "provider", "districts", "languages"]

    import_as(coordinator_cremona, csv_bytes([a_row(gender="donna")], columns=required))

    hanane = Mediator.objects.get(email="h.amrani@example.org")
    assert hanane.gender == "female" and hanane.modes() == ["in_person"] and hanane.max_weekly_hours == 20


def test_a_good_xlsx_imports_with_numbers_and_booleans_as_excel_stores_them(coordinator_cremona):
    header = list(a_row())
    row = list(a_row(max_weekly_hours=18, hourly_rate=23.5, travel_rate=0.3, active=True).values())
    other = list(a_row(email="s.ouali@example.org", gender="uomo", active=False).values())

    result = import_as(coordinator_cremona, xlsx_bytes(header, row, [None] * len(header), other), "elenco.xlsx")

    assert result.created == 2
    hanane = Mediator.objects.get(email="h.amrani@example.org")
    assert (hanane.max_weekly_hours, hanane.hourly_rate, hanane.is_active) == (18, Decimal("23.50"), True)
    assert Mediator.objects.get(email="s.ouali@example.org").is_active is False


# --- Bad rows: every error with its row and column, and nothing imported ----------------------------------------------

BAD_ROWS = [
    ("a malformed e-mail", {"email": "ouali@"}, "email", "valid email"),
    ("an unknown language code", {"languages": "xyz|fra"}, "languages", "“xyz” is not a language we know"),
    ("an unknown language level", {"languages": "ara::nativo"}, "languages", "Unknown level “nativo”"),
    ("an unknown district", {"districts": "Atlantide"}, "districts", "no district called"),
    ("a district outside the importer's area", {"districts": "Crema"}, "districts", "outside your area"),
    ("a district of another province", {"districts": "Bergamo"}, "districts", "not in the province"),
    ("an unknown provider", {"provider": "Cooperativa Inesistente"}, "provider", "No mediator provider"),
    ("a provider of another province", {"provider": CONNECTING}, "provider", "No mediator provider"),
    ("an unknown gender", {"gender": "x"}, "gender", "“x”: write femmina, maschio or altro"),
    ("a rate that is not a number", {"hourly_rate": "venti euro"}, "hourly_rate", "“venti euro”: this is not a number"),
    ("too many weekly hours", {"max_weekly_hours": "70"}, "max_weekly_hours", "less than or equal to 60"),
    ("hours that are not whole", {"max_weekly_hours": "12,5"}, "max_weekly_hours", "“12,5”: write a whole number"),
    ("a country code that does not exist", {"countries": "XX"}, "countries", "ISO 3166"),
    ("an empty last name", {"last_name": ""}, "last_name", "required"),
    ("a written language not spoken", {"written_translation": "eng"}, "written_translation", "not among"),
    ("an unknown mode", {"modes": "telepathy"}, "modes", "Unknown value"),
    ("an unclear active flag", {"active": "forse"}, "active", "“forse”: write sì or no"),
    ("a phone with letters", {"phone": "chiamami"}, "phone", "digits"),
]


@pytest.mark.parametrize(("problem", "bad", "column", "message"), BAD_ROWS, ids=[case[0] for case in BAD_ROWS])
def test_a_bad_row_is_reported_with_its_row_and_column_and_nothing_is_imported(
    coordinator_cremona, problem, bad, column, message
):
    before = Mediator.objects.count()

    errors = errors_when_importing(coordinator_cremona, csv_bytes(three_rows(**bad)))

    assert where(errors) == {(3, column)}, problem
    assert message.lower() in errors[0].message.lower()
    assert Mediator.objects.count() == before


def test_a_missing_column_is_an_error_of_the_header_row(coordinator_cremona):
    rows = [{k: v for k, v in row.items() if k != "email"} for row in three_rows()]

    errors = errors_when_importing(coordinator_cremona, csv_bytes(rows))

    assert where(errors) == {(1, "email")}
    assert "missing" in errors[0].message
    assert Mediator.objects.count() == 0


def test_an_unknown_column_is_an_error_of_the_header_row(coordinator_cremona):
    rows = [{**row, "nickname": "Nana"} for row in three_rows()]

    errors = errors_when_importing(coordinator_cremona, csv_bytes(rows))

    assert where(errors) == {(1, "nickname")}
    assert Mediator.objects.count() == 0


def test_the_same_e_mail_twice_in_one_file_is_an_error_of_the_second_row(coordinator_cremona):
    rows = three_rows(email="H.Amrani@example.org")

    errors = errors_when_importing(coordinator_cremona, csv_bytes(rows))

    assert where(errors) == {(3, "email")}
    assert "already on row 2" in errors[0].message
    assert Mediator.objects.count() == 0


def test_every_bad_row_is_reported_not_only_the_first(coordinator_cremona):
    rows = [a_row(email="wrong"), a_row(email="ok@example.org", gender="?", districts="Atlantide")]

    errors = errors_when_importing(coordinator_cremona, csv_bytes(rows))

    assert where(errors) == {(2, "email"), (3, "gender"), (3, "districts")}


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("elenco.pdf", b"%PDF-1.4", ".csv or .xlsx"),
        ("elenco.csv", b"", "empty"),
        ("elenco.csv", b"nome;cognome\n\x81\x8d;\x8f\x90\n", "UTF-8"),  # neither UTF-8 nor Windows-1252
        ("elenco.xlsx", b"PK\x03\x04 not really a workbook", "not a valid Excel workbook"),
        ("elenco.xlsx", bytes(range(256)) * 10, "not a valid Excel workbook"),
        ("elenco.csv", b"\x00\x01\x02garbage", "binary"),
    ],
    ids=["pdf", "empty", "no known encoding", "broken zip", "random bytes", "binary csv"],
)
def test_a_file_that_cannot_be_read_is_one_clear_error(filename, data, message):
    with translation.override("en"), pytest.raises(ImportErrors) as refused:
        importing.parse_file(filename=filename, data=data)

    assert [error.row for error in refused.value.errors] == [None]
    assert message in refused.value.errors[0].message


# --- Importing again --------------------------------------------------------------------------------------------------


def test_importing_again_updates_by_e_mail_and_replaces_languages_and_countries(coordinator_cremona):
    import_as(coordinator_cremona, csv_bytes([a_row()]))

    result = import_as(
        coordinator_cremona,
        csv_bytes(
            [
                a_row(
                    email="H.AMRANI@example.org",
                    first_name="Hanan",
                    languages="kab::fluent",
                    written_translation="",
                    countries="DZ",
                )
            ]
        ),
    )

    assert (result.created, result.updated) == (0, 1)
    hanane = Mediator.objects.get()
    assert (hanane.first_name, hanane.email) == ("Hanan", "h.amrani@example.org")
    assert [(lang.code, lang.level) for lang in hanane.languages.all()] == [("kab", "fluent")]
    assert [c.code for c in hanane.countries.all()] == ["DZ"]


def test_an_update_keeps_the_districts_the_importer_cannot_see(coordinator_cremona, world):
    cremona, crema = world["districts"]["Cremona"], world["districts"]["Crema"]
    mediator = RosterMediatorFactory(
        provider=world["providers"]["cremona"], districts=[cremona, crema], email="condivisa@example.org"
    )

    import_as(coordinator_cremona, csv_bytes([a_row(email="condivisa@example.org", districts="Cremona")]))

    assert set(mediator.districts.all()) == {cremona, crema}


def test_an_update_of_a_mediator_outside_the_importers_area_is_refused(coordinator_cremona, world):
    elsewhere = RosterMediatorFactory(
        provider=world["providers"]["cremona"],
        districts=[world["districts"]["Crema"]],
        email="di.crema@example.org",
        first_name="Nadia",
        languages=[("ara", "")],
    )

    errors = errors_when_importing(coordinator_cremona, csv_bytes([a_row(email="DI.CREMA@example.org")]))

    assert where(errors) == {(2, "email")}
    assert "outside your area" in errors[0].message
    elsewhere.refresh_from_db()
    assert elsewhere.first_name == "Nadia" and [lang.code for lang in elsewhere.languages.all()] == ["ara"]


def test_province_staff_import_into_every_district_of_their_province_only(world):
    staff = world["users"]["provincia.cremona"]

    result = import_as(staff, csv_bytes([a_row(districts="Crema|Casalmaggiore")]))
    errors = errors_when_importing(staff, csv_bytes([a_row(email="x@example.org", districts="Crema|Seriate")]))

    assert result.created == 1
    assert where(errors) == {(2, "districts")}


def test_a_social_worker_cannot_import_at_all(world):
    with pytest.raises(NotAllowed):
        import_as(world["users"]["assistente.cremona"], csv_bytes([a_row()]))


# --- The command ------------------------------------------------------------------------------------------------------


def test_the_command_imports_a_good_file_and_prints_the_counts(world, tmp_path):
    path = tmp_path / "elenco.csv"
    path.write_bytes(csv_bytes(three_rows()))
    out = io.StringIO()

    call_command("import_mediators", str(path), "--as", "coordinatore.cremona@example.org", stdout=out)

    assert "Mediatori creati: 3; aggiornati: 0." in out.getvalue()
    assert Mediator.objects.count() == 3


def test_the_command_without_as_runs_as_administrator_and_says_so(world):
    out = io.StringIO()

    call_command("import_mediators", str(EXAMPLE), stdout=out)

    assert "amministratore" in out.getvalue()
    assert Mediator.objects.filter(email="n.shevchenko@example.org").exists()


def test_the_command_exits_non_zero_on_a_bad_file_and_prints_each_error_in_italian(world, tmp_path):
    path = tmp_path / "elenco.csv"
    path.write_bytes(csv_bytes(three_rows(email="ouali@")))
    err = io.StringIO()

    with pytest.raises(CommandError) as failed:
        call_command("import_mediators", str(path), stderr=err)

    assert "riga 3, colonna email: “ouali@”: Inserisci un indirizzo email valido." in err.getvalue()
    assert "non è stato importato nulla" in str(failed.value)
    assert Mediator.objects.count() == 0


def test_the_command_refuses_a_user_who_cannot_import(world, tmp_path):
    path = tmp_path / "elenco.csv"
    path.write_bytes(csv_bytes([a_row()]))

    with pytest.raises(CommandError):
        call_command("import_mediators", str(path), "--as", "assistente.cremona@example.org")
    assert Mediator.objects.count() == 0


# --- The web flow -----------------------------------------------------------------------------------------------------

IMPORT_URL = "/mediatori/importa/"
CONFIRM_URL = "/mediatori/importa/conferma/"


def upload(client, data: bytes, name: str = "elenco.csv"):
    return client.post(reverse("mediators:import"), {"file": SimpleUploadedFile(name, data)})


def stored_uploads() -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_the_import_addresses_are_the_italian_ones():
    assert (reverse("mediators:import"), reverse("mediators:import_confirm")) == (IMPORT_URL, CONFIRM_URL)


def test_a_coordinator_uploads_sees_a_preview_and_confirms(client_for, coordinator_cremona):
    client = client_for(coordinator_cremona)
    assert client.get(IMPORT_URL).status_code == 200

    preview = upload(client, csv_bytes(three_rows()))

    assert preview.status_code == 200
    page = preview.content.decode()
    assert "h.amrani@example.org" in page and "s.ouali@example.org" in page and "i.rami@example.org" in page
    assert PONTI in page and "Darija marocchina" in page
    assert 'data-testid="confirm-import"' in page
    assert Mediator.objects.count() == 0, "the preview writes nothing"
    token = client.session[SESSION_KEY]["token"]
    assert [path.name for path in stored_uploads()] == [f"{token}.csv"]

    confirmed = client.post(CONFIRM_URL, {"upload": token})

    assert confirmed.status_code == 302 and confirmed.url == reverse("mediators:list")
    assert Mediator.objects.count() == 3
    assert stored_uploads() == [] and SESSION_KEY not in client.session
    assert [str(m) for m in get_messages(confirmed.wsgi_request)] == [
        "Elenco importato. Mediatori creati: 3; aggiornati: 0."
    ]


def test_the_preview_of_a_bad_file_lists_the_errors_and_offers_no_confirmation(client_for, coordinator_cremona):
    response = upload(client_for(coordinator_cremona), csv_bytes(three_rows(districts="Crema")))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="import-errors"' in page and "Crema" in page
    assert 'data-testid="confirm-import"' not in page
    assert stored_uploads() == [] and Mediator.objects.count() == 0


def test_the_preview_of_a_long_file_shows_the_first_500_rows_and_counts_the_others(client_for, coordinator_cremona):
    rows = [a_row(email=f"mediatore{n}@example.org") for n in range(520)]

    response = upload(client_for(coordinator_cremona), csv_bytes(rows))

    page = response.content.decode()
    assert "mediatore499@example.org" in page and "mediatore500@example.org" not in page
    assert "…e altre 20 righe, che qui non sono mostrate." in page
    assert 'data-testid="confirm-import"' in page


def test_an_xlsx_upload_works_too(client_for, coordinator_cremona):
    client = client_for(coordinator_cremona)
    upload(client, xlsx_bytes(list(a_row()), list(a_row().values())), "elenco.xlsx")

    client.post(CONFIRM_URL, {"upload": client.session[SESSION_KEY]["token"]})

    assert Mediator.objects.filter(email="h.amrani@example.org").exists()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("elenco.csv", b"a" * (3 * 1024 * 1024), "Il file supera i 2 MB"),
        ("elenco.pdf", b"%PDF-1.4 tre pagine", "Carica un file .csv o .xlsx"),
        ("elenco.csv", b"", "Il file è vuoto"),
        ("elenco.xlsx", b"\x89PNG\r\n\x1a\n garbage", "cartella di lavoro Excel"),
        ("elenco.xlsx", b"PK\x03\x04\x14\x00 broken", "cartella di lavoro Excel"),
        ("elenco.csv", b"nome,cognome\n\x81\x8d,\x8f\x90\n", "CSV UTF-8"),
    ],
    ids=["3 MB", "pdf", "empty", "png as xlsx", "corrupted xlsx", "no known encoding"],
)
def test_a_file_that_is_not_a_roster_gets_a_clear_message_and_writes_nothing(
    client_for, coordinator_cremona, name, data, message
):
    response = upload(client_for(coordinator_cremona), data, name)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert stored_uploads() == [] and Mediator.objects.count() == 0


def test_a_confirmation_with_a_token_that_is_not_the_previewed_one_imports_nothing(client_for, coordinator_cremona):
    client = client_for(coordinator_cremona)
    upload(client, csv_bytes(three_rows()))

    for forged in ["../../settings.py", "not-a-uuid", "6f1c1f0e-9b1a-4c7e-9d59-0d7f4c2b9a10"]:
        response = client.post(CONFIRM_URL, {"upload": forged})
        assert response.status_code == 302 and response.url == IMPORT_URL
    assert Mediator.objects.count() == 0


def test_a_confirmation_without_a_preview_says_the_import_is_unknown(client_for, coordinator_cremona):
    response = client_for(coordinator_cremona).post(CONFIRM_URL, {"upload": "6f1c1f0e-9b1a-4c7e-9d59-0d7f4c2b9a10"})

    assert response.url == IMPORT_URL
    assert "carica di nuovo il file" in " ".join(str(m) for m in get_messages(response.wsgi_request))


def test_a_confirmation_whose_file_has_gone_is_a_message_not_an_error(client_for, coordinator_cremona):
    client = client_for(coordinator_cremona)
    upload(client, csv_bytes(three_rows()))
    token = client.session[SESSION_KEY]["token"]
    for path in stored_uploads():
        path.unlink()

    response = client.post(CONFIRM_URL, {"upload": token})

    assert response.status_code == 302 and response.url == IMPORT_URL
    assert Mediator.objects.count() == 0


def test_a_confirmation_checks_the_rows_again(client_for, coordinator_cremona, world):
    client = client_for(coordinator_cremona)
    upload(client, csv_bytes(three_rows()))
    # Meanwhile someone puts one of these e-mails on the roster of another district.
    RosterMediatorFactory(
        provider=world["providers"]["cremona"], districts=[world["districts"]["Crema"]], email="i.rami@example.org"
    )

    response = client.post(CONFIRM_URL, {"upload": client.session[SESSION_KEY]["token"]})

    assert response.status_code == 200 and 'data-testid="import-errors"' in response.content.decode()
    assert Mediator.objects.count() == 1 and stored_uploads() == []


def test_a_social_worker_gets_403_and_an_anonymous_visitor_the_login_page(client, client_for, world):
    worker = client_for(social_worker(office=None))

    assert worker.get(IMPORT_URL).status_code == 403
    assert upload(worker, csv_bytes([a_row()])).status_code == 403
    assert worker.post(CONFIRM_URL, {"upload": "x"}).status_code == 403
    assert client.get(IMPORT_URL).status_code == 302 and "/accounts/login/" in client.get(IMPORT_URL).url
    assert Mediator.objects.count() == 0


def test_province_staff_may_open_the_import_page(client_for, world):
    assert client_for(world["users"]["provincia.bergamo"]).get(IMPORT_URL).status_code == 200


def test_the_confirmation_only_answers_post(client_for, coordinator_cremona):
    assert client_for(coordinator_cremona).get(CONFIRM_URL).status_code == 405


# --- Spreadsheets as Italian offices have them ------------------------------------------------------------------------

EXCEL_ITALIAN = "\r\n".join(
    [
        "Elenco mediatori – Ambito di Cremona;;;;;;;;;;;;",
        "Nome;Cognome;E-mail;Telefono;Genere;Ente;Ambiti;Lingue;Paesi;Ore settimanali;Tariffa oraria;Attivo;"
        "Aree culturali",
        f"Hélène;Ndiaye;h.ndiaye@example.org;+39 0372 000222;femmina;{PONTI};Cremona;"
        "francese|wolof::madrelingua|Arabic;Senegal;20,0;21,50 €;sì;Africa occidentale, è là",
        f"Karim;Benali;k.benali@example.org;;maschio;{PONTI};Cremona;arabo:Darija:lingua madre;Marocco;18;€ 19,00;"
        "Sì;Maghreb",
    ]
).encode("cp1252")


def test_an_excel_csv_in_windows_1252_with_italian_headers_and_a_title_row_imports(coordinator_cremona):
    rows = importing.parse_file(filename="elenco.csv", data=EXCEL_ITALIAN)

    result = importing.mediators_import(actor=actor_for(coordinator_cremona), rows=rows)

    assert result.created == 2
    helene = Mediator.objects.get(email="h.ndiaye@example.org")
    assert (helene.first_name, helene.gender, helene.cultural_areas) == ("Hélène", "female", "Africa occidentale, è là")
    assert (helene.max_weekly_hours, helene.hourly_rate) == (20, Decimal("21.50"))
    assert {(lang.code, lang.level) for lang in helene.languages.all()} == {
        ("fra", "fluent"),
        ("wol", "mother_tongue"),
        ("ara", "fluent"),
    }
    assert [country.code for country in helene.countries.all()] == ["SN"]
    karim = Mediator.objects.get(email="k.benali@example.org")
    assert (karim.gender, karim.hourly_rate, karim.is_active) == ("male", Decimal("19.00"), True)
    assert [(lang.code, lang.variant, lang.level) for lang in karim.languages.all()] == [
        ("ara", "Darija", "mother_tongue")
    ]
    with translation.override("en"):
        rows = importing.parse_file(filename="elenco.csv", data=EXCEL_ITALIAN)
    assert rows.header_row == 2
    assert any("Windows-1252" in note and "“;”" in note for note in rows.notes)
    assert any("Row 1 (“Elenco mediatori – Ambito di Cremona”)" in note for note in rows.notes)


def test_the_preview_says_which_encoding_was_used_and_that_the_title_row_was_skipped(client_for, coordinator_cremona):
    response = upload(client_for(coordinator_cremona), EXCEL_ITALIAN)

    notes = response.content.decode().split('data-testid="import-notes"')[1].split("</div>")[0]
    assert "Windows-1252" in notes and "Elenco mediatori" in notes
    assert 'data-testid="confirm-import"' in response.content.decode()


def test_the_preview_names_a_bad_cell_by_the_column_name_written_in_the_file(client_for, coordinator_cremona):
    # The office wrote "Ente" and "Genere": the error table says so, not "provider" or "gender".
    data = EXCEL_ITALIAN.decode("cp1252").replace("maschio", "boh").replace(PONTI, "Cooperativa Inesistente")
    response = upload(client_for(coordinator_cremona), data.encode("cp1252"))

    errors = response.content.decode().split("<tbody>")[1].split("</tbody>")[0]
    assert "<code>Ente</code>" in errors and "<code>Genere</code>" in errors
    assert "<code>provider</code>" not in errors and "<code>gender</code>" not in errors


def test_a_utf8_file_says_so_in_the_preview_too():
    rows = importing.parse_file(filename="elenco.csv", data=csv_bytes([a_row()], delimiter=";", bom=True))
    assert rows.header_row == 1 and any("UTF-8" in note for note in rows.notes)


@pytest.mark.parametrize(
    ("bad", "column", "message"),
    [
        ({"languages": "arabico"}, "languages", "“arabico” is not a language we know: did you mean Arabic? Write ara."),
        ({"languages": "qwertz"}, "languages", "“qwertz” is not a language we know: write its ISO 639-3 code"),
        ({"written_translation": "arabicco"}, "written_translation", "did you mean Arabic? Write ara."),
        (
            {"countries": "Marrocco"},
            "countries",
            "“Marrocco” is not a country we know: did you mean Morocco? Write MA.",
        ),
        ({"gender": "femminile?"}, "gender", "“femminile?”: write femmina, maschio or altro"),
        ({"hourly_rate": "21,50 dollari"}, "hourly_rate", "“21,50 dollari”: this is not a number"),
        ({"max_weekly_hours": "venti"}, "max_weekly_hours", "“venti”: this is not a number"),
        ({"modes": "piccione"}, "modes", "Unknown value “piccione”: write In person (in_person)"),
        ({"email": "ouali@"}, "email", "“ouali@”: Enter a valid email address."),
    ],
    ids=["misspelt language", "unknown language", "written", "country", "gender", "rate", "hours", "mode", "e-mail"],
)
def test_every_refusal_quotes_what_was_typed_and_says_how_to_fix_it(coordinator_cremona, bad, column, message):
    errors = errors_when_importing(coordinator_cremona, csv_bytes(three_rows(**bad)))

    assert where(errors) == {(3, column)}
    assert message in errors[0].message


def test_an_unknown_column_is_quoted_as_written_with_the_italian_names_listed(coordinator_cremona):
    rows = [{**row, "Soprannome": "Nana"} for row in three_rows()]

    errors = errors_when_importing(coordinator_cremona, csv_bytes(rows))

    assert where(errors) == {(1, "soprannome")}
    assert "“Soprannome”" in errors[0].message and "last_name (cognome)" in errors[0].message


@pytest.mark.parametrize(
    ("column", "written", "field", "expected"),
    [
        ("languages", "Arabo|FRANCESE|ita", "languages", {"ara", "fra", "ita"}),
        ("languages", "ar|fr", "languages", {"ara", "fra"}),
        ("languages", "àrabo, inglese", "languages", {"ara", "eng"}),
        ("gender", "Femmina", "gender", "female"),
        ("gender", "MASCHIO", "gender", "male"),
        ("max_weekly_hours", "20,0", "max_weekly_hours", 20),
        ("max_weekly_hours", "12 ore", "max_weekly_hours", 12),
        ("hourly_rate", "21,50 €", "hourly_rate", Decimal("21.50")),
        ("hourly_rate", "€ 1.021,50", "hourly_rate", Decimal("1021.50")),  # a point for the thousands
        ("hourly_rate", "21,5,0", "hourly_rate", None),
        ("travel_rate", "0.35 EUR", "travel_rate", Decimal("0.35")),
        ("modes", "in presenza; Telefono", "modes", {"in_person", "phone"}),
        ("settings", "Tutela minori|scuola", "settings", {"child_protection", "school"}),
        ("countries", "Marocco, Tunisia, SEN", "countries", {"MA", "TN", "SN"}),
        ("active", "No", "is_active", False),
    ],
)
def test_values_are_understood_as_people_write_them(coordinator_cremona, column, written, field, expected):
    rows = [a_row(**{column: written}, written_translation="")]
    if expected is None:
        assert where(errors_when_importing(coordinator_cremona, csv_bytes(rows))) == {(2, column)}
        return

    import_as(coordinator_cremona, csv_bytes(rows))

    mediator = Mediator.objects.get()
    if field == "languages":
        value = {language.code for language in mediator.languages.all()}
    elif field == "countries":
        value = {country.code for country in mediator.countries.all()}
    elif field == "modes":
        value = {mode for mode in ("in_person", "phone", "video") if getattr(mediator, f"mode_{mode}")}
    elif field == "settings":
        value = {s for s in ("child_protection", "school", "health") if getattr(mediator, f"exp_{s}")}
    else:
        value = getattr(mediator, field)
    assert value == expected


def test_the_roster_csv_export_imports_again_unchanged_hostile_names_included(client_for, coordinator_cremona):
    import_as(coordinator_cremona, csv_bytes([a_row(first_name='=HYPERLINK("http://x")', cultural_areas="@SUM(1)")]))
    exported = b"".join(client_for(coordinator_cremona).get(reverse("mediators:export_csv")).streaming_content)
    assert b"'=HYPERLINK" in exported

    result = import_as(coordinator_cremona, exported)

    assert result.created == 0 and result.updated >= 1
    mediator = Mediator.objects.get(email="h.amrani@example.org")
    assert (mediator.first_name, mediator.cultural_areas) == ('=HYPERLINK("http://x")', "@SUM(1)")
    assert mediator.hourly_rate == Decimal("22.50")


# --- Files built to exhaust a worker ----------------------------------------------------------------------------------


def xlsx_with_sheet(sheet_xml: str) -> bytes:
    """A minimal workbook whose first sheet is ``sheet_xml``, written by hand: what no spreadsheet would save."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    relations = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package = "http://schemas.openxmlformats.org/package/2006/relationships"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{package}"><Relationship Id="rId1" Type="{relations}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{main}" xmlns:r="{relations}"><sheets>'
            '<sheet name="Foglio1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{package}"><Relationship Id="rId1" Type="{relations}/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/worksheets/sheet1.xml", f'<worksheet xmlns="{main}"><sheetData>{sheet_xml}</sheetData></worksheet>'
        )
    return out.getvalue()


def test_an_xlsx_whose_one_row_holds_a_million_cells_is_refused_unread():
    bomb = xlsx_with_sheet(
        '<row r="1"><c t="inlineStr"><is><t>nome</t></is></c>' + "<c><v>1</v></c>" * 1_000_000 + "</row>"
    )
    assert len(bomb) < 100_000  # small to upload, huge to parse

    with translation.override("en"), pytest.raises(ImportErrors) as refused:
        importing.parse_file(filename="elenco.xlsx", data=bomb)

    assert [error.row for error in refused.value.errors] == [None]
    assert "more cells than a roster" in refused.value.errors[0].message


def test_an_xlsx_with_a_million_empty_rows_is_refused_too():
    bomb = xlsx_with_sheet("<row/>" * 1_000_000)

    with translation.override("en"), pytest.raises(ImportErrors) as refused:
        importing.parse_file(filename="elenco.xlsx", data=bomb)

    assert "more cells than a roster" in refused.value.errors[0].message


def test_an_xlsx_with_a_dtd_is_refused_as_unreadable():
    laughs = xlsx_with_sheet("")
    with zipfile.ZipFile(io.BytesIO(laughs)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["xl/worksheets/sheet1.xml"] = (
        b'<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row>'
        b'<c t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)

    with translation.override("en"), pytest.raises(ImportErrors) as refused:
        importing.parse_file(filename="elenco.xlsx", data=out.getvalue())

    assert "not a valid Excel workbook" in refused.value.errors[0].message


def test_the_limits_come_from_the_settings(settings):
    settings.ROSTER_IMPORT_MAX_ROWS = 3
    rows = [a_row(email=f"m{n}@example.org") for n in range(6)]

    with translation.override("en"), pytest.raises(ImportErrors) as csv_refused:
        importing.parse_file(filename="elenco.csv", data=csv_bytes(rows))
    with translation.override("en"), pytest.raises(ImportErrors) as xlsx_refused:
        importing.parse_file(filename="elenco.xlsx", data=xlsx_bytes(list(a_row()), *[list(r.values()) for r in rows]))

    assert "more than 3 rows" in csv_refused.value.errors[0].message
    assert "more than 3 rows" in xlsx_refused.value.errors[0].message


def test_empty_formatted_cells_far_away_and_a_title_row_do_not_get_in_the_way(coordinator_cremona):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Elenco dei mediatori"])
    sheet.append(["Nome", "Cognome", "Email", "Genere", "Ente", "Ambiti", "Lingue"])
    sheet.append(["Amina", "Saidi", "a.saidi@example.org", "femmina", PONTI, "Cremona", "arabo"])
    sheet["XFD9000"].font = openpyxl.styles.Font(bold=True)  # formatted, empty, at the sheet's far corner
    out = io.BytesIO()
    workbook.save(out)

    rows = importing.parse_file(filename="elenco.xlsx", data=out.getvalue())

    assert (rows.header_row, [row.number for row in rows.rows]) == (2, [3])
    assert importing.mediators_import(actor=actor_for(coordinator_cremona), rows=rows).created == 1


def test_a_csv_of_nothing_but_separators_is_refused_before_it_is_split():
    hostile = b"nome;cognome\n" + b";" * (2 * 1024 * 1024 - 20)

    with translation.override("en"), pytest.raises(ImportErrors) as refused:
        importing.parse_file(filename="elenco.csv", data=hostile)

    assert "more cells than a roster" in refused.value.errors[0].message
