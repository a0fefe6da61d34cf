"""The optional map of the public guide: markers for the published entries with a place, from a JSON script tag,
only when a tile server is set; the list stays the whole guide; the tile server is the only image origin added."""

import json
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from accounts.scoping import actor_for
from guide import services
from guide.models import Location

from . import factories as f
from .guide_factories import ADMIN, EntryFactory, entry_fields, published_entry

pytestmark = pytest.mark.django_db

OSM = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"


@pytest.fixture(autouse=True)
def _guide_reference_data(db, settings):
    services.reference_data_seed()
    settings.GUIDE_MAP_TILES_URL = OSM


@pytest.fixture
def cremona():
    return f.DistrictFactory(name="Cremona", province=f.ProvinceFactory(name="Provincia di Cremona", slug="cremona"))


def _located(district, name, latitude, longitude):
    entry = EntryFactory(
        district=district,
        service__name=name,
        location__latitude=Decimal(latitude),
        location__longitude=Decimal(longitude),
    )
    return services.entry_publish(actor=ADMIN, entry=entry)


def _points(response):
    html = response.content.decode()
    start = html.index('<script id="guide-map-points" type="application/json">') + len(
        '<script id="guide-map-points" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


def test_the_map_gets_a_marker_for_each_published_entry_with_a_place_and_the_list_keeps_them_all(cremona):
    consultorio = _located(cremona, "Consultorio familiare", "45.133600", "10.022700")
    published_entry(district=cremona, service__name="Numero verde senza indirizzo")
    EntryFactory(district=cremona, service__name="Bozza con un posto", location__latitude=Decimal("45.1"),
                 location__longitude=Decimal("10.0"))  # fmt: skip
    response = Client().get(reverse("guide_public:province", args=["cremona"]), {"lingua": "ara"})
    assert _points(response) == [
        {
            "name": "Consultorio familiare",
            "lang": "it",  # not translated into Arabic yet: the Italian name, marked as Italian
            "address": consultorio.published["address_1"] + ", 26100 Cremona",
            "url": f"/guida/cremona/{consultorio.pk}/?lingua=ara",
            "lat": 45.1336,
            "lon": 10.0227,
        }
    ]
    html = response.content.decode()
    # The list, not the map, is the guide: both published entries are in it, the draft in neither.
    assert "Numero verde senza indirizzo" in html and "Consultorio familiare" in html
    assert "Bozza con un posto" not in html
    assert '<details class="guide-map mb-4" data-testid="guide-map" hidden' in html
    assert "vendor/leaflet/leaflet.js" in html and "js/guide-map.js" in html


def test_without_a_tile_server_there_is_no_map_and_no_leaflet(cremona, settings):
    settings.GUIDE_MAP_TILES_URL = ""
    _located(cremona, "Consultorio familiare", "45.133600", "10.022700")
    html = Client().get(reverse("guide_public:province", args=["cremona"])).content.decode()
    assert "Consultorio familiare" in html
    assert "guide-map" not in html and "leaflet" not in html


def test_a_page_without_any_place_loads_no_map(cremona):
    published_entry(district=cremona, service__name="Numero verde")
    html = Client().get(reverse("guide_public:province", args=["cremona"])).content.decode()
    assert "guide-map" not in html and "leaflet" not in html


def test_a_name_cannot_break_out_of_the_json_of_the_markers(cremona):
    _located(cremona, "</script><script>alert(1)</script>", "45.1", "10.0")
    response = Client().get(reverse("guide_public:province", args=["cremona"]))
    assert "<script>alert(1)" not in response.content.decode()
    assert _points(response)[0]["name"] == "</script><script>alert(1)</script>"


def test_the_map_reads_the_published_place_not_the_draft_being_edited(cremona):
    entry = _located(cremona, "Consultorio familiare", "45.133600", "10.022700")
    coordinator = f.coordinator(district=cremona)
    services.entry_update(
        actor=actor_for(coordinator),
        entry=entry,
        fields=entry_fields(entry, latitude="45.2", longitude="10.1"),
    )
    entry.refresh_from_db()
    assert entry.state == "draft"
    assert entry.changes.first().changes["latitude"] == ["45.133600", "45.200000"]
    points = _points(Client().get(reverse("guide_public:province", args=["cremona"])))
    assert (points[0]["lat"], points[0]["lon"]) == (45.1336, 10.0227)


@pytest.mark.parametrize(("latitude", "longitude"), [("45.1", ""), ("91", "10"), ("quarantacinque", "10")])
def test_a_wrong_place_is_a_message_beside_the_latitude_and_nothing_is_saved(cremona, latitude, longitude):
    client = Client()
    client.force_login(f.coordinator(district=cremona))
    count = Location.objects.count()
    fields = entry_fields(latitude=latitude, longitude=longitude, district=cremona.pk)
    fields["category"] = fields["category"].pk
    response = client.post(reverse("guide:entry_create"), fields)
    assert response.status_code == 200
    assert response.context["form"].errors["latitude"]
    assert Location.objects.count() == count


def test_the_coordinator_gives_a_place_on_the_entry_page_and_it_is_kept(cremona):
    client = Client()
    client.force_login(f.coordinator(district=cremona))
    fields = entry_fields(latitude="45.1336", longitude="10.0227", district=cremona.pk)
    fields["category"] = fields["category"].pk
    response = client.post(reverse("guide:entry_create"), fields)
    assert response.status_code == 302
    location = Location.objects.get()
    assert (location.latitude, location.longitude) == (Decimal("45.133600"), Decimal("10.022700"))
    page = client.get(response["Location"]).content.decode()
    assert '<bdi dir="ltr">45.133600, 10.022700</bdi>' in page


def test_the_tile_server_is_the_one_image_origin_the_policy_adds(cremona):
    from django.conf import settings as live

    # Read at start-up from GUIDE_MAP_TILES_URL (its default: OpenStreetMap's tiles).
    assert "https://tile.openstreetmap.org" in live.CONTENT_SECURITY_POLICY["img-src"]
    _located(cremona, "Consultorio familiare", "45.133600", "10.022700")
    header = Client().get(reverse("guide_public:province", args=["cremona"]))["Content-Security-Policy"]
    assert "img-src 'self' data: https://tile.openstreetmap.org;" in header
    assert "script-src 'self';" in header
