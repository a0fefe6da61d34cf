"""The demo guide: a credible directory for the three Cremona districts and Bergamo, translated, with one outdated
translation, one entry awaiting review, and the same rows when built twice."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts import demo as accounts_demo
from guide import demo as guide_demo
from guide.models import EntryState, PageView, ServiceAtLocation, TaxonomyTerm, Translation, TranslationTask
from mediators import demo as mediators_demo

from .conftest import shared_world

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def _guide_world(django_db_setup, django_db_blocker):
    """The demo guide and what it stands on, built once for the module (conftest.shared_world)."""
    with shared_world(django_db_blocker):
        accounts_demo.build()
        mediators_demo.build()
        yield guide_demo.build()


@pytest.fixture
def demo_guide(_guide_world, db):
    """Each test reads the module's guide through its own transaction, rolled back after it."""
    return _guide_world


def test_the_demo_directory_covers_the_four_districts_and_every_category(demo_guide):
    entries = ServiceAtLocation.objects.all()
    assert entries.count() >= 40
    assert set(entries.exclude(district=None).values_list("district__name", flat=True)) == {
        "Cremona",
        "Crema",
        "Casalmaggiore",
        "Bergamo",
    }
    assert set(entries.values_list("service__category__code", flat=True)) == set(
        TaxonomyTerm.objects.values_list("code", flat=True)
    )


def test_the_demo_is_translated_into_arabic_english_chinese_and_urdu(demo_guide):
    for language in ("ara", "eng", "zho", "urd"):
        approved = Translation.objects.filter(language=language, status="approved", object_kind="service")
        assert approved.count() >= 80, language


def test_the_demo_has_one_outdated_translation_one_entry_awaiting_review_and_a_task_for_amina(demo_guide):
    outdated = Translation.objects.get(status=Translation.Status.OUTDATED)
    assert outdated.language == "ara" and outdated.field == "description"
    awaiting = ServiceAtLocation.objects.get(state=EntryState.SUBMITTED)
    assert not awaiting.is_public and awaiting.district.name == "Bergamo"
    task = TranslationTask.objects.get()
    assert task.translator.user.email == "mediatore.cremona@example.org"
    assert str(task.entry.service_id) == outdated.object_id and task.language == "ara"


def test_the_demo_guide_reads_in_arabic_with_the_italian_where_the_translation_is_outdated(demo_guide):
    html = Client().get(reverse("guide_public:province", args=["cremona"]), {"lingua": "ara"}).content.decode()
    assert "مركز الاستشارة العائلية في Cremona" in html
    assert "Ostetriche, psicologi e assistenti sociali" in html  # the outdated Arabic is not shown
    assert "الترجمة قيد التحديث: يظهر النص الإيطالي." in html  # …and the page says it is being updated
    assert "دليل الخدمات للعائلات" in html
    # The labels are the demo's approved Arabic: none falls back to Italian.
    assert "<dt>العنوان</dt>" in html and "<dt>ساعات العمل</dt>" in html
    assert ">Indirizzo<" not in html and ">Categoria<" not in html


def test_the_demo_labels_are_approved_in_arabic_english_chinese_and_urdu(demo_guide):
    from guide.labels import LABELS
    from guide.models import GuideText

    for slug in ("cremona", "bergamo"):
        labels = GuideText.objects.filter(province__slug=slug, key__in=LABELS)
        assert labels.count() == len(LABELS)
        for language in ("ara", "eng", "zho", "urd"):
            approved = Translation.objects.filter(
                object_kind="guide_text", object_id__in=[str(pk) for pk in labels.values_list("pk", flat=True)],
                language=language, status="approved",
            )  # fmt: skip
            assert approved.count() == len(LABELS), (slug, language)
    html = Client().get(reverse("guide_public:province", args=["cremona"]), {"lingua": "zho"}).content.decode()
    assert "<dt>地址</dt>" in html


def test_building_the_demo_guide_twice_gives_the_same_rows(demo_guide):
    counts = [m.objects.count() for m in (ServiceAtLocation, Translation, TranslationTask)]
    guide_demo.build()
    assert [m.objects.count() for m in (ServiceAtLocation, Translation, TranslationTask)] == counts


def test_the_demo_has_the_cremona_booklet_in_arabic_and_italian_built_once(demo_guide):
    import subprocess
    from pathlib import Path

    from guide.models import GuideEdition

    editions = guide_demo.build_editions()
    assert [(e.district.name, e.language, e.status) for e in editions] == [
        ("Cremona", "ara", "done"),
        ("Cremona", "ita", "done"),
    ]
    arabic = editions[0]
    text = subprocess.run(["pdftotext", arabic.file.path, "-"], capture_output=True, text=True, check=True).stdout
    assert "دليل الخدمات للعائلات" in text and "112" in text  # the whole province's emergency numbers too
    # The labels and the cover's lines are the demo's Arabic, not the portal's Italian.
    assert "العنوان" in text and "ساعات العمل" in text and "الطبعة" in text
    assert "Indirizzo" not in text and "La guida, sempre aggiornata" not in text
    # Its first page of entries, for a person to look at: shaped Arabic, right to left, numbers left to right.
    artifacts = Path(__file__).resolve().parent.parent / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    target = artifacts / "guide-booklet-demo-ara-page-3"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "3", "-l", "3", "-singlefile", arabic.file.path, target], check=True
    )
    assert target.with_suffix(".png").stat().st_size > 5000
    cover = artifacts / "guide-booklet-demo-ara-cover"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", arabic.file.path, cover], check=True
    )
    files = [e.file.name for e in editions]
    guide_demo.build_editions()
    assert [e.file.name for e in GuideEdition.objects.order_by("language")] == files
    page = Client().get(reverse("guide_public:editions", args=["cremona"])).content.decode()
    assert page.count("Scarica il PDF") == 2


def test_the_demo_places_the_districts_entries_in_their_towns_and_counts_months_of_readers(demo_guide):
    located = ServiceAtLocation.objects.filter(is_public=True).exclude(published__latitude=None)
    public = ServiceAtLocation.objects.filter(is_public=True)
    assert located.count() >= public.count() * 0.8
    for entry in located.exclude(district=None).select_related("district"):
        latitude, longitude = float(entry.published["latitude"]), float(entry.published["longitude"])
        centre = {"Cremona": (45.13, 10.02), "Crema": (45.36, 9.69), "Casalmaggiore": (44.99, 10.42),
                  "Bergamo": (45.70, 9.68)}[entry.district.name]  # fmt: skip
        assert abs(latitude - centre[0]) < 0.02 and abs(longitude - centre[1]) < 0.02, entry
    assert PageView.objects.filter(province__slug="cremona", language="ara").count() == 6
