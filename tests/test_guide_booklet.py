"""The printable booklet of the guide: built in the background from the published entries, in Arabic (right to left,
shaped), Chinese and Italian, with the Italian shown where a translation is missing or outdated; its editions kept
and downloaded by the staff (recorded) and by the public (ready editions of a published guide only).

The text of each PDF is read back with pdftotext; the Arabic booklet's first pages are kept as PNGs in
test-artifacts/ (guide-booklet-ara-*.png) for a person to look at."""

from __future__ import annotations

import subprocess
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.scoping import actor_for
from audit.models import ReadEvent
from core.errors import DomainError, NotAllowed
from guide import booklet, services
from guide.models import GuideEdition, GuideText, Translation, source_hash

from . import factories as f
from .guide_factories import ADMIN, EntryFactory, category, published_entry

pytestmark = pytest.mark.django_db

ARTIFACTS_DIR = Path(__file__).resolve().parent.parent / "test-artifacts"
BUILT_AT = datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Europe/Rome"))


@pytest.fixture(autouse=True)
def _guide_reference_data(db):
    services.reference_data_seed()


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(BUILT_AT, tick=False):
        yield


def _translate(kind, object_id, language, source, **texts):
    for field, text in texts.items():
        Translation.objects.create(
            object_kind=kind,
            object_id=str(object_id),
            field=field,
            language=language,
            text=text,
            source_hash=source_hash(source[field]),
            status="approved",
        )


@pytest.fixture
def guide():
    district = f.DistrictFactory(
        name="Cremona", province=f.ProvinceFactory(name="Provincia di Cremona", slug="cremona")
    )
    consultorio = published_entry(
        district=district,
        service__name="Consultorio familiare",
        service__description="Sostegno a gravidanza e genitori.",
    )
    school = published_entry(
        district=district,
        service__name="Iscrizione alla scuola",
        service__description="Come iscrivere i figli alla scuola dell'obbligo.",
        service__category=category("scuola-infanzia"),
    )
    intro = GuideText.objects.create(
        province=district.province, title="Guida ai servizi", text="Dove andare e quando, nella provincia."
    )
    for entry, arabic, chinese in [
        (consultorio, ("الاستشارة العائلية", "دعم الحمل والوالدين."), ("家庭咨询中心", "怀孕和父母支持。")),
        (school, ("التسجيل في المدرسة", "كيفية تسجيل الأطفال في المدرسة."), ("学校注册", "如何为孩子注册义务教育。")),
    ]:
        source = entry.published
        _translate("service", entry.service_id, "ara", source, name=arabic[0], description=arabic[1])
        _translate("service", entry.service_id, "zho", source, name=chinese[0], description=chinese[1])
    _translate("guide_text", intro.pk, "ara", {"title": intro.title, "text": intro.text}, title="دليل الخدمات")
    return {"district": district, "province": district.province, "consultorio": consultorio, "school": school}


def _build(guide, language, district="default", django_capture_on_commit_callbacks=None) -> GuideEdition:
    staff = f.province_staff(province=guide["province"])
    with django_capture_on_commit_callbacks(execute=True):
        edition = services.edition_request(
            actor=actor_for(staff),
            province=guide["province"],
            district=guide["district"] if district == "default" else district,
            language=language,
        )
    edition.refresh_from_db()
    return edition


def _text(edition: GuideEdition) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", edition.file.path, "-"], capture_output=True, text=True, check=True
    ).stdout


def _png(edition: GuideEdition, page: int, name: str) -> Path:
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    target = ARTIFACTS_DIR / name
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", str(page), "-l", str(page), "-singlefile", edition.file.path, target],
        check=True,
    )
    return target.with_suffix(".png")


def test_the_arabic_booklet_is_built_in_the_background_and_reads_right_to_left(
    guide, django_capture_on_commit_callbacks
):
    edition = _build(guide, "ara", django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    assert edition.status == GuideEdition.Status.DONE, edition.error
    assert edition.file and edition.size > 10_000 and edition.entry_count == 2
    assert edition.built_at == BUILT_AT and edition.attempts == 1
    text = _text(edition)
    # The Arabic words in their logical order: shaped glyphs that map back to the same letters.
    assert "الاستشارة" in text and "العائلية" in text and "المدرسة" in text
    assert "دليل الخدمات" in text
    # The phone numbers and the address stay as they are written.
    assert "+39 0372 555 0101" in text and "Via Dante" in text
    for page in (1, 3):
        assert _png(edition, page, f"guide-booklet-ara-page-{page}").stat().st_size > 3000


def test_the_html_of_the_arabic_booklet_is_right_to_left_with_the_italian_marked(guide):
    context = booklet.booklet_context(
        province=guide["province"],
        district=guide["district"],
        language=booklet.language_of("ara"),
        built_on=BUILT_AT.date(),
    )
    html = booklet.booklet_html(context)
    assert '<html lang="ar" dir="rtl">' in html and '"Noto Naskh Arabic"' in html
    assert '<bdi dir="ltr" lang="it">Via Dante' in html
    # The introduction's text has no Arabic: the Italian shows, marked as Italian; the weekdays come from CLDR.
    assert '<p lang="it" dir="ltr">Dove andare e quando' in html
    assert "الاثنين" in html or "الإثنين" in html
    # The QR code leads to the same district and language online.
    assert context["online_url"] == (
        f"http://127.0.0.1:8000/guida/cremona/?lingua=ara&ambito={guide['district'].pk}"
    ) and context["qr"].startswith("data:image/svg+xml")


def test_the_chinese_booklet_has_the_chinese_text(guide, django_capture_on_commit_callbacks):
    edition = _build(guide, "zho", django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    text = _text(edition)
    assert "家庭咨询中心" in text and "学校注册" in text
    _png(edition, 3, "guide-booklet-zho-page-3")


def test_the_booklet_holds_only_published_versions(guide, django_capture_on_commit_callbacks):
    EntryFactory(district=guide["district"], service__name="Sportello segreto in bozza")
    changed = guide["consultorio"]
    changed.service.name = "Nome nuovo non ancora pubblicato"
    changed.service.save()
    edition = _build(guide, "ita", django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    text = _text(edition)
    assert "Consultorio familiare" in text and "Iscrizione alla scuola" in text
    assert "Sportello segreto" not in text and "non ancora pubblicato" not in text
    assert edition.entry_count == 2


def test_an_outdated_translation_gives_way_to_the_italian(guide, django_capture_on_commit_callbacks):
    consultorio = str(guide["consultorio"].service_id)
    Translation.objects.filter(field="description", language="ara", object_id=consultorio).update(status="outdated")
    text = _text(_build(guide, "ara", django_capture_on_commit_callbacks=django_capture_on_commit_callbacks))
    assert "دعم الحمل" not in text
    assert "Sostegno a gravidanza e genitori." in text and "si mostra il testo italiano" in text
    assert "كيفية تسجيل الأطفال" in text  # the other entry's description is still approved and up to date


def test_a_failure_while_building_fails_the_edition_with_a_message(
    guide, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(context, stream):
        raise RuntimeError("the renderer broke")

    monkeypatch.setattr(booklet, "write_booklet", broken)
    edition = _build(guide, "ara", django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    assert edition.status == GuideEdition.Status.FAILED and not edition.file
    assert "errore" in edition.error.lower() and str(edition.pk)[:8] in edition.error


def test_a_storage_that_does_not_answer_is_tried_again_then_fails(
    guide, django_capture_on_commit_callbacks, monkeypatch, settings
):
    settings.REPORT_JOB_MAX_ATTEMPTS = 2
    calls = []

    def full_disk(*args, **kwargs):
        calls.append(1)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("core.files.save_whole", full_disk)
    edition = _build(guide, "ita", django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    assert len(calls) == 2 and edition.attempts == 2
    assert edition.status == GuideEdition.Status.FAILED and "archivio" in edition.error


def test_an_edition_whose_worker_died_is_built_again_by_the_sweeper(guide, django_capture_on_commit_callbacks):
    edition = GuideEdition.objects.create(
        province=guide["province"],
        district=guide["district"],
        language="ita",
        status=GuideEdition.Status.RUNNING,
        attempts=1,
        started_at=BUILT_AT.replace(hour=9),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.editions_sweep() == {"requeued": 1, "failed": 0}
    edition.refresh_from_db()
    assert edition.status == GuideEdition.Status.DONE and edition.attempts == 2
    # A duplicate delivery of its task does nothing.
    assert services.edition_build(edition_id=edition.pk) is False


def test_who_may_ask_for_a_booklet(guide):
    province, district = guide["province"], guide["district"]
    other = f.DistrictFactory(province=province)
    coordinator = actor_for(f.coordinator(district=district))
    with pytest.raises(NotAllowed):
        services.edition_request(actor=coordinator, province=province, district=other, language="ara")
    with pytest.raises(NotAllowed):
        services.edition_request(actor=coordinator, province=province, district=None, language="ara")
    with pytest.raises(NotAllowed):
        services.edition_request(
            actor=actor_for(f.province_staff()), province=province, district=district, language="ara"
        )
    with pytest.raises(DomainError, match="lingue"):
        services.edition_request(actor=ADMIN, province=province, district=district, language="xyz")
    with pytest.raises(DomainError, match="pubblicato"):
        services.edition_request(
            actor=ADMIN, province=province, district=f.DistrictFactory(province=province), language="ara"
        )
    assert not GuideEdition.objects.exists()


# --- The pages --------------------------------------------------------------------------------------------------------


def test_the_province_staff_ask_for_a_booklet_download_it_and_the_download_is_recorded(
    guide, django_capture_on_commit_callbacks
):
    staff = f.province_staff(province=guide["province"])
    client = Client()
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("guide:editions"), {"district": guide["district"].pk, "language": "ara"})
    assert response.status_code == 302
    edition = GuideEdition.objects.get()
    assert edition.status == GuideEdition.Status.DONE and edition.built_by == staff
    page = client.get(reverse("guide:editions")).content.decode()
    # The list shows it ready (here the task ran after the answer: the message said it was being prepared).
    assert "L&#x27;opuscolo è in preparazione" in page and "العربية" in page and "Scarica il PDF" in page
    download = client.get(reverse("guide:edition_download", args=[edition.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert ReadEvent.objects.filter(user=staff, what=f"guide.edition:{edition.pk}").count() == 1


def test_a_coordinator_cannot_ask_for_another_districts_booklet_and_nothing_is_saved(guide):
    client = Client()
    client.force_login(f.coordinator(district=f.DistrictFactory(province=guide["province"])))
    response = client.post(reverse("guide:editions"), {"district": guide["district"].pk, "language": "ara"})
    assert response.status_code == 400 and response.context["form"].errors["district"]
    assert not GuideEdition.objects.exists()


def test_a_booklet_of_a_district_with_nothing_published_is_refused_in_words(guide):
    client = Client()
    client.force_login(f.province_staff(province=guide["province"]))
    empty = f.DistrictFactory(province=guide["province"], name="Casalmaggiore")
    response = client.post(reverse("guide:editions"), {"district": empty.pk, "language": "ita"})
    assert response.status_code == 400
    assert "non è ancora pubblicato nulla" in response.content.decode()
    assert not GuideEdition.objects.exists()


def test_the_public_lists_ready_editions_without_who_built_them_and_downloads_them(
    guide, django_capture_on_commit_callbacks
):
    edition = _build(guide, "ara", django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    failed = GuideEdition.objects.create(
        province=guide["province"], language="ita", status=GuideEdition.Status.FAILED, built_by=edition.built_by
    )
    edition.built_by.last_name = "Rossiniana"
    edition.built_by.save()
    page = Client().get(reverse("guide_public:editions", args=["cremona"]))
    html = page.content.decode()
    assert page.status_code == 200 and [e.pk for e in page.context["editions"]] == [edition.pk]
    assert "Rossiniana" not in html and edition.built_by.email not in html and "العربية" in html
    download = Client().get(reverse("guide_public:edition_download", args=["cremona", edition.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert Client().get(reverse("guide_public:edition_download", args=["cremona", failed.pk])).status_code == 404
    other = f.ProvinceFactory(slug="bergamo")
    published_entry(district=f.DistrictFactory(province=other))
    assert Client().get(reverse("guide_public:edition_download", args=["bergamo", edition.pk])).status_code == 404


def _editions(province, district, rows: int) -> None:
    staff = f.province_staff(province=province)
    for n in range(rows):
        GuideEdition.objects.create(
            province=province,
            district=district if n % 2 else None,
            language="ara" if n % 3 else "ita",
            status=GuideEdition.Status.DONE,
            file=f"guide/editions/2026/guida-{n}.pdf",
            size=120_000,
            entry_count=12,
            built_by=staff,
            built_at=BUILT_AT,
        )


# A logged-in page reads the user and the memberships, and on the first page after a login the unread
# notifications of the header (tests/test_query_counts.py).
FRAME = 2 + 1


@pytest.mark.parametrize("rows", [3, 30])
def test_the_editions_list_runs_the_same_queries_for_3_and_30_editions(rows, guide, django_assert_num_queries):
    _editions(guide["province"], guide["district"], rows)
    client = Client()
    client.force_login(f.province_staff(province=guide["province"]))
    # + the guide's languages (the form and the names), the districts of the form, the editions with their
    # province, district and who asked.
    with django_assert_num_queries(FRAME + 3):
        response = client.get(reverse("guide:editions"))
    assert response.status_code == 200 and len(response.context["editions"]) == rows


@pytest.mark.parametrize("rows", [3, 30])
def test_the_public_editions_list_runs_the_same_queries_for_3_and_30_editions(rows, guide, django_assert_num_queries):
    _editions(guide["province"], guide["district"], rows)
    # The province, the names of the languages, the editions with their district.
    with django_assert_num_queries(3):
        response = Client().get(reverse("guide_public:editions", args=["cremona"]))
    assert response.status_code == 200 and len(response.context["editions"]) == rows


def cremona_booklet(objects: dict) -> GuideEdition:
    """The Arabic booklet of the district of Cremona, asked for by provincia.cremona and built, for the permission
    matrix (tests/test_permissions.py). Built in each test: the matrix rolls each test back, and each test has its
    own media folder."""
    user = objects["users"]["provincia.cremona"]
    district = objects["guide_published"].district
    edition = services.edition_request(
        actor=actor_for(user), province=district.province, district=district, language="ara"
    )
    # Inside the test's transaction the outbox's task waits for a commit that never comes: built here instead.
    services.edition_build(edition_id=edition.pk)
    return edition


@pytest.mark.parametrize(
    "data",
    [{}, {"district": "abc", "language": "ara"}, {"language": "ara\x00"}, {"language": "xyz"}, {"district": "999999"}],
)
def test_a_wrong_request_for_a_booklet_is_a_message_and_saves_nothing(guide, data):
    client = Client()
    client.force_login(f.province_staff(province=guide["province"]))
    response = client.post(reverse("guide:editions"), data)
    assert response.status_code == 400 and response.context["form"].errors
    assert not GuideEdition.objects.exists()
