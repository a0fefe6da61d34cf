"""The guide's pages: the public ones without login, in Italian, Arabic (right to left) and Chinese, with nothing
personal on them and a fixed number of queries; the mapping and the side-by-side translation page."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.scoping import actor_for
from guide import services
from guide.models import GuideText, Translation, source_hash

from . import factories as f
from .guide_factories import ADMIN, EntryFactory, category, published_entry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _guide_reference_data(db):
    """The categories and languages the migration seeds (a browser test's flush may have emptied them)."""
    services.reference_data_seed()


def _translate(entry, language, **texts):
    for field, text in texts.items():
        Translation.objects.create(
            object_kind="service",
            object_id=str(entry.service_id),
            field=field,
            language=language,
            text=text,
            source_hash=source_hash(entry.published[field]),
            status="approved",
        )


@pytest.fixture
def guide():
    district = f.DistrictFactory(
        name="Cremona", province=f.ProvinceFactory(name="Provincia di Cremona", slug="cremona")
    )
    entry = published_entry(
        district=district,
        service__name="Consultorio familiare",
        service__description="Sostegno a gravidanza e genitori.",
    )
    GuideText.objects.create(province=district.province, title="Guida ai servizi", text="Dove andare e quando.")
    _translate(entry, "ara", name="الاستشارة العائلية", description="دعم الحمل والوالدين.")
    _translate(entry, "zho", name="家庭咨询中心", description="怀孕和父母支持。")
    return {"district": district, "entry": entry}


def test_the_public_guide_opens_without_login_in_italian(guide):
    response = Client().get(reverse("guide_public:province", args=["cremona"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Consultorio familiare" in html and "Guida ai servizi" in html
    assert 'lang="it" dir="ltr" class="guide-content"' in html


def test_the_arabic_guide_is_right_to_left_with_addresses_and_phones_left_to_right(guide):
    html = Client().get(reverse("guide_public:province", args=["cremona"]), {"lingua": "ara"}).content.decode()
    assert 'lang="ar" dir="rtl" class="guide-content"' in html
    assert "الاستشارة العائلية" in html
    assert '<bdi dir="ltr" lang="it">Via Dante' in html
    assert '<a href="tel:+390372555010' in html and 'dir="ltr"><bdi>+39 0372 555 0101</bdi>' in html
    # The introduction has no Arabic yet: the Italian shows, marked as Italian.
    assert '<h1 lang="it" dir="ltr">Guida ai servizi</h1>' in html


def test_the_chinese_guide_shows_the_chinese_and_the_weekdays_in_chinese(guide):
    html = Client().get(reverse("guide_public:province", args=["cremona"]), {"lingua": "zho"}).content.decode()
    assert 'lang="zh" dir="ltr"' in html and "家庭咨询中心" in html
    assert "周一" in html


def test_an_outdated_translation_is_not_shown_and_the_italian_is_with_a_note(guide):
    entry = guide["entry"]
    Translation.objects.filter(field="description", language="ara").update(status="outdated")
    html = Client().get(reverse("guide_public:entry", args=["cremona", entry.pk]), {"lingua": "ara"}).content.decode()
    assert "دعم الحمل" not in html
    assert "Sostegno a gravidanza" in html and "La traduzione è in aggiornamento: si mostra il testo italiano." in html
    assert "Non ancora tradotto" not in html


def test_the_public_search_finds_medico_in_the_chosen_language_and_in_italian(guide):
    published_entry(
        district=guide["district"],
        service__name="Pediatra di libera scelta",
        service__description="Il medico dei bambini.",
    )
    response = Client().get(reverse("guide_public:province", args=["cremona"]), {"q": "medico"})
    assert [c["entry"].service.name for c in response.context["cards"]] == ["Pediatra di libera scelta"]
    response = Client().get(reverse("guide_public:province", args=["cremona"]), {"q": "العائلية", "lingua": "ara"})
    assert len(response.context["cards"]) == 1


def test_a_draft_is_404_on_the_public_pages_and_so_is_another_provinces_entry(guide):
    draft = EntryFactory(district=guide["district"])
    assert Client().get(reverse("guide_public:entry", args=["cremona", draft.pk])).status_code == 404
    foreign = published_entry()
    assert Client().get(reverse("guide_public:entry", args=["cremona", foreign.pk])).status_code == 404


def test_no_personal_data_on_the_public_pages(guide):
    coordinator = f.coordinator(district=guide["district"], email="laura.rossi@example.org", last_name="Rossiniana")
    entry = EntryFactory(district=guide["district"], created_by=coordinator)
    services.entry_publish(actor=ADMIN, entry=entry)
    for url in [
        reverse("guide_public:index"),
        reverse("guide_public:province", args=["cremona"]),
        reverse("guide_public:entry", args=["cremona", entry.pk]),
    ]:
        html = Client().get(url).content.decode()
        assert "laura.rossi@example.org" not in html and "Rossiniana" not in html


@pytest.mark.parametrize("rows", [3, 30])
def test_the_public_list_runs_the_same_queries_for_3_and_30_entries(rows, django_assert_num_queries):
    district = f.DistrictFactory(province=f.ProvinceFactory(slug="bergamo"))
    services.guide_labels_ensure(province_id=district.province_id)
    address = GuideText.objects.get(province=district.province, key="label-address")
    Translation.objects.create(
        object_kind="guide_text", object_id=str(address.pk), field="title", language="ara", text="العنوان",
        source_hash=source_hash(address.title), status="approved",
    )  # fmt: skip
    for n in range(rows):
        # Each with a place: the map's markers come from the rows already read.
        entry = published_entry(
            district=district,
            service__category=category("salute"),
            location__latitude=Decimal("45.698300"),
            location__longitude=Decimal("9.677300"),
        )
        _translate(entry, "ara", name=f"خدمة {n}")
    client = Client()
    # The province, the guide's languages (the menu, and the one asked for), its districts, the categories and
    # their Arabic, the page of entries (no count: one row more says whether a page follows) and their Arabic, the
    # guide's texts (the introduction and the labels together) and their Arabic; the count of the view (one upsert).
    with django_assert_num_queries(10):
        response = client.get(
            reverse("guide_public:province", args=["bergamo"]),
            {"lingua": "ara"},
            HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
        )
    assert response.status_code == 200 and len(response.context["cards"]) == rows
    assert len(response.context["map_points"]) == rows
    assert response.content.decode().count("<dt>العنوان</dt>") == rows


def test_the_side_by_side_page_puts_the_italian_beside_an_arabic_textarea_right_to_left():
    district = f.DistrictFactory()
    provider = f.ProviderFactory(province=district.province)
    user = f.mediator(provider=provider, districts=[district])
    translator = f.MediatorFactory(provider=provider, districts=[district], user=user, languages=["ara"])
    entry = EntryFactory(district=district, service__name="Sportello stranieri")
    task = services.translation_task_create(
        actor=actor_for(f.coordinator(district=district)),
        entry=entry,
        language="ara",
        translator=translator,
        deadline=timezone.localdate() + timedelta(days=10),
    )
    client = Client()
    client.force_login(user)
    html = client.get(reverse("guide:task", args=[task.pk])).content.decode()
    assert '<div class="border rounded p-2 bg-light" lang="it" dir="ltr">Sportello stranieri</div>' in html
    assert 'lang="ar" dir="rtl"' in html and "<textarea" in html
    response = client.post(
        reverse("guide:task", args=[task.pk]),
        {f"service:{entry.service_id}:name": "مكتب الأجانب", "salva": "1"},
    )
    assert response.status_code == 302
    assert Translation.objects.get(field="name", language="ara").text == "مكتب الأجانب"


def test_a_coordinator_maps_through_the_pages_and_the_province_publishes():
    district = f.DistrictFactory()
    coordinator = f.coordinator(district=district)
    client = Client()
    client.force_login(coordinator)
    response = client.post(
        reverse("guide:entry_create"),
        {
            "organization": "CPIA di Cremona",
            "name": "Corsi di italiano per adulti",
            "category": category("corsi-lingua").pk,
            "district": district.pk,
            "description": "Corsi gratuiti di lingua italiana, livelli A1-B1.",
            "status": "active",
            "address_1": "Via Palestro 31",
            "city": "Cremona",
            "phones": "0372 555 0120 | segreteria",
            "schedules": "lun,mer 9:00-12:30\nven 14-17 solo su appuntamento",
            "languages": "ita, eng",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    entry_url = response["Location"]
    assert "Corsi di italiano per adulti" in client.get(reverse("guide:entries")).content.decode()
    client.post(entry_url + "invia/")
    staff = Client()
    staff.force_login(f.province_staff(province=district.province))
    staff.post(entry_url + "pubblica/")
    page = Client().get(reverse("guide_public:province", args=[district.province.slug])).content.decode()
    assert "Corsi di italiano per adulti" in page and "solo su appuntamento" in page


# A logged-in page reads the user and the memberships, and on the first page after a login the unread
# notifications of the header; after the first, only the user (tests/test_query_counts.py).
FRAME = 2 + 1
WARM_FRAME = 1


@pytest.mark.parametrize("rows", [3, 30])
def test_the_mapping_list_runs_the_same_queries_for_3_and_30_entries(rows, django_assert_num_queries):
    district = f.DistrictFactory()
    for _ in range(rows):
        EntryFactory(district=district)
    client = Client()
    client.force_login(f.coordinator(district=district))
    # + the entries with their service, organisation, category, place and district; the count of those to check.
    with django_assert_num_queries(FRAME + 2):
        response = client.get(reverse("guide:entries"))
    assert response.status_code == 200 and len(response.context["entries"]) == rows


@pytest.mark.parametrize("rows", [3, 30])
def test_the_translation_tasks_list_runs_the_same_queries_for_3_and_30_tasks(rows, django_assert_num_queries):
    district = f.DistrictFactory()
    provider = f.ProviderFactory(province=district.province)
    translator = f.MediatorFactory(
        provider=provider, districts=[district], user=f.mediator(provider=provider, districts=[district]),
        languages=["ara"],
    )  # fmt: skip
    coordinator = f.coordinator(district=district)
    for _ in range(rows):
        services.translation_task_create(
            actor=actor_for(coordinator),
            entry=EntryFactory(district=district),
            language="ara",
            translator=translator,
            deadline=timezone.localdate() + timedelta(days=5),
        )
    client = Client()
    client.force_login(coordinator)
    client.get(reverse("guide:tasks"))  # the first page after the login reads the roles and the counter
    # + the tasks with their entry's service, translator and reviewer.
    with django_assert_num_queries(WARM_FRAME + 1):
        response = client.get(reverse("guide:tasks"))
    assert response.status_code == 200 and len(response.context["tasks"]) == rows
