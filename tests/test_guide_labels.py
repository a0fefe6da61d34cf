"""The labels of the public guide and of its booklet (Indirizzo, Telefono…) are texts of the guide: translated by the
mediators with the introduction and categories, shown in the chosen language when approved and made from the current
Italian, else in Italian marked lang="it". An outdated translation of an entry says "being updated", not "not
translated yet"."""

from __future__ import annotations

import re
import subprocess
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.scoping import actor_for
from guide import booklet, services
from guide.labels import LABELS
from guide.models import GuideText, Translation, source_hash

from . import factories as f
from .guide_factories import published_entry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _guide_reference_data(db):
    services.reference_data_seed()


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Europe/Rome")), tick=False):
        yield


def _label(province, key) -> GuideText:
    return GuideText.objects.get(province=province, key=key)


def _translate_label(province, key, language, text, *, status="approved", source=None):
    label = _label(province, key)
    return Translation.objects.create(
        object_kind="guide_text",
        object_id=str(label.pk),
        field="title",
        language=language,
        text=text,
        source_hash=source_hash(source if source is not None else label.title),
        status=status,
    )


@pytest.fixture
def guide():
    district = f.DistrictFactory(
        name="Cremona", province=f.ProvinceFactory(name="Provincia di Cremona", slug="cremona")
    )
    services.guide_labels_ensure(province_id=district.province_id)
    entry = published_entry(
        district=district,
        service__name="Consultorio familiare",
        service__description="Sostegno a gravidanza e genitori.",
    )
    Translation.objects.create(
        object_kind="service",
        object_id=str(entry.service_id),
        field="name",
        language="ara",
        text="الاستشارة العائلية",
        source_hash=source_hash(entry.published["name"]),
        status="approved",
    )
    return {"district": district, "province": district.province, "entry": entry}


def _page(language="ara", **params) -> str:
    return (
        Client()
        .get(reverse("guide_public:province", args=["cremona"]), {"lingua": language, **params})
        .content.decode()
    )


def test_the_arabic_page_shows_the_arabic_label_of_the_address_right_to_left(guide):
    _translate_label(guide["province"], "label-address", "ara", "العنوان")
    html = _page()
    # The label carries no lang of its own: it is inside the guide's Arabic, right to left.
    assert "<dt>العنوان</dt>" in html
    assert re.search(r'<div lang="ar" dir="rtl" class="guide-content">\s*<article', html)
    # The labels not translated yet show in Italian, marked as Italian.
    assert '<dt lang="it" dir="ltr">Telefono</dt>' in html
    assert ">Indirizzo<" not in html


def test_a_label_handed_in_but_not_approved_shows_the_italian_marked_italian(guide):
    _translate_label(guide["province"], "label-address", "ara", "العنوان", status="submitted")
    html = _page()
    assert '<dt lang="it" dir="ltr">Indirizzo</dt>' in html and "العنوان" not in html


def test_a_label_translated_from_an_earlier_italian_shows_the_italian(guide):
    _translate_label(guide["province"], "label-address", "ara", "العنوان", source="Recapito")
    html = _page()
    assert '<dt lang="it" dir="ltr">Indirizzo</dt>' in html and "العنوان" not in html


def test_the_search_form_and_the_empty_list_speak_the_guides_language(guide):
    _translate_label(guide["province"], "label-search", "ara", "بحث")
    _translate_label(guide["province"], "label-no-match", "ara", "لا توجد خدمة مطابقة.")
    html = _page(q="nessuna-parola-trovata")
    assert 'role="search" lang="ar" dir="rtl"' in html
    assert '<label class="form-label fw-semibold" for="id_q">بحث</label>' in html
    assert '<button class="btn btn-primary w-100" type="submit">بحث</button>' in html
    assert "<p>لا توجد خدمة مطابقة.</p>" in html
    assert '<label class="form-label fw-semibold" for="id_categoria" lang="it" dir="ltr">Categoria</label>' in html


def test_the_italian_guide_reads_the_provinces_italian_labels_even_for_an_english_reader(guide):
    label = _label(guide["province"], "label-hours")
    label.title = "Quando è aperto"
    label.save()
    html = Client(headers={"accept-language": "en"}).get(reverse("guide_public:province", args=["cremona"])).content
    assert "<dt>Quando è aperto</dt>" in html.decode()


def test_a_province_without_its_label_rows_reads_the_default_italian(guide):
    GuideText.objects.filter(province=guide["province"]).delete()
    html = _page()
    assert '<dt lang="it" dir="ltr">Indirizzo</dt>' in html


def test_an_outdated_translation_of_an_entry_says_it_is_being_updated(guide):
    entry = guide["entry"]
    Translation.objects.create(
        object_kind="service",
        object_id=str(entry.service_id),
        field="description",
        language="ara",
        text="دعم الحمل والوالدين.",
        source_hash=source_hash("Una descrizione di prima."),
        status="outdated",
    )
    _translate_label(guide["province"], "label-being-updated", "ara", "الترجمة قيد التحديث: يظهر النص الإيطالي.")
    html = Client().get(reverse("guide_public:entry", args=["cremona", entry.pk]), {"lingua": "ara"}).content.decode()
    assert "دعم الحمل" not in html and "Sostegno a gravidanza" in html
    assert '<p class="small fst-italic mb-2 guide-fallback">الترجمة قيد التحديث' in html
    assert "Non ancora tradotto" not in html


def test_a_description_never_translated_says_not_translated_yet_in_italian(guide):
    html = (
        Client()
        .get(reverse("guide_public:entry", args=["cremona", guide["entry"].pk]), {"lingua": "ara"})
        .content.decode()
    )
    assert (
        '<p class="small fst-italic mb-2 guide-fallback" lang="it" dir="ltr">'
        "Non ancora tradotto: si mostra il testo italiano.</p>"
    ) in html


def test_the_arabic_booklet_has_the_arabic_labels_and_says_being_updated(guide, tmp_path):
    province, entry = guide["province"], guide["entry"]
    _translate_label(province, "label-address", "ara", "العنوان")
    _translate_label(province, "label-guide", "ara", "دليل الخدمات للعائلات")
    Translation.objects.create(
        object_kind="service",
        object_id=str(entry.service_id),
        field="description",
        language="ara",
        text="دعم الحمل والوالدين.",
        source_hash=source_hash("Una descrizione di prima."),
        status="outdated",
    )
    context = booklet.booklet_context(
        province=province,
        district=guide["district"],
        language=booklet.language_of("ara"),
        built_on=timezone.localdate(),
    )
    html = booklet.booklet_html(context)
    assert '<th scope="row">العنوان</th>' in html and '<th scope="row" lang="it" dir="ltr">Telefono</th>' in html
    assert '<p class="fallback-note" lang="it" dir="ltr">La traduzione è in aggiornamento' in html
    path = tmp_path / "labels-ara.pdf"
    with open(path, "wb") as stream:
        booklet.write_booklet(context, stream)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", path, "-"], capture_output=True, text=True, check=True).stdout
    assert "العنوان" in text and "دليل الخدمات للعائلات" in text
    assert "Telefono" in text and "Indirizzo" not in text


def test_the_introduction_task_gives_the_labels_to_the_mediator_and_their_approval_publishes_them(guide):
    district, province = guide["district"], guide["province"]
    GuideText.objects.filter(province=province).delete()  # a province made after the migration
    provider = f.ProviderFactory(province=province)
    user = f.mediator(provider=provider, districts=[district])
    translator = f.MediatorFactory(provider=provider, districts=[district], user=user, languages=["ara"])
    task = services.translation_task_create(
        actor=actor_for(f.province_staff(province=province)),
        language="ara",
        translator=translator,
        deadline=timezone.localdate() + timedelta(days=7),
    )
    sources = services.task_sources(task)
    labels = [source for kind, _id, field, source in sources if kind == "guide_text"]
    assert labels == list(LABELS.values())  # no introduction yet: only the labels, in their order
    texts = {f"{kind}:{oid}:{field}": f"ترجمة {n}" for n, (kind, oid, field, _s) in enumerate(sources)}
    texts[f"guide_text:{_label(province, 'label-address').pk}:title"] = "العنوان"
    services.translation_save(actor=actor_for(user), task=task, texts=texts, submit=True, hours="3")
    # The side-by-side page names the labels as labels of the public pages.
    client = Client()
    client.force_login(f.province_staff(province=province))
    page = client.get(reverse("guide:task", args=[task.pk])).content.decode()
    assert "Etichetta delle pagine pubbliche" in page and "Orari di apertura" in page
    services.translation_task_approve(actor=actor_for(f.province_staff(province=province)), task=task)
    assert "<dt>العنوان</dt>" in _page()


def test_the_migration_gives_every_province_its_labels_once_and_keeps_a_reworded_one():
    import importlib

    from django.apps import apps

    migration = importlib.import_module("guide.migrations.0005_public_labels")
    province = f.ProvinceFactory()
    GuideText.objects.create(province=province, key="label-address", title="Dove si trova", text="")
    migration.seed(apps, None)
    migration.seed(apps, None)
    rows = dict(GuideText.objects.filter(province=province).values_list("key", "title"))
    assert set(rows) == set(migration.LABELS) and set(migration.LABELS) <= set(LABELS)
    assert rows["label-address"] == "Dove si trova" and rows["label-phone"] == "Telefono"
