"""Languages as people read them (CLDR's names in Italian and English, sorted as people expect) and ISO 639-3
macrolanguages: a request or a search in Moroccan Arabic finds the Arabic speakers, and the other way round."""

import pycountry
import pytest
from babel import Locale
from django.urls import reverse
from django.utils import translation
from django.utils.text import capfirst

from mediators import languages
from mediators.forms import language_choices
from mediators.languages import language_name, related_codes, sort_key
from mediators.vocabulary import language_code
from reporting.indicators import requests_by

from . import factories as f
from .conftest import login_client
from .test_reporting import build_data, scope

# --- Names ------------------------------------------------------------------------------------------------------------


def registry_codes() -> list[str]:
    with translation.override("it"):
        return [code for code, _label in language_choices()[1:]]


@pytest.mark.parametrize(
    ("code", "italian", "english"),
    [
        ("tir", "Tigrino", "Tigrinya"),
        ("som", "Somalo", "Somali"),
        ("ful", "Fulah", "Fulah"),
        ("fuf", "Pular", "Pular"),
        ("pbu", "Pashto settentrionale", "Northern Pashto"),
        ("pnb", "Punjabi occidentale", "Western Panjabi"),
        ("ary", "Arabo marocchino", "Moroccan Arabic"),
        ("ukr", "Ucraino", "Ukrainian"),
        ("ron", "Rumeno", "Romanian"),
    ],
)
def test_a_language_is_named_in_the_interface_language(code, italian, english):
    assert language_name(code, "it") == italian
    assert language_name(code, "en") == english


def test_inside_a_sentence_italian_keeps_the_lower_case():
    assert language_name("ara", "it", label=False) == "arabo"


def test_every_language_of_the_registry_has_cldrs_italian_name_where_cldr_has_one():
    cldr = Locale.parse("it").languages
    english_left = []
    for code in registry_codes():
        key = languages.cldr_key(code)
        name = language_name(code, "it")
        if code in languages._ITALIAN_NAMES:
            assert name == capfirst(languages._ITALIAN_NAMES[code])
        elif key in cldr:
            assert name == capfirst(cldr[key]), code
        if name == pycountry.languages.get(alpha_3=code).name and name.casefold() not in {
            cldr.get(key, "").casefold(),
            languages._ITALIAN_NAMES.get(code, ""),
        }:
            english_left.append(code)
    assert english_left == []


def test_the_menu_of_languages_is_sorted_by_the_name_shown_ignoring_case_and_accents():
    with translation.override("it"):
        labels = [label for _code, label in language_choices()[1:]]
    assert labels == sorted(labels, key=sort_key)
    assert sort_key("Èwè") < sort_key("Fulah") and sort_key("ebraico") < sort_key("Èwè")


@pytest.mark.parametrize(
    ("name", "code"),
    [("arabo", "ara"), ("Tigrino", "tir"), ("Arabic", "ara"), ("arabo marocchino", "ary"), ("UCRAINO", "ukr")],
)
def test_a_name_in_italian_or_english_gives_back_the_code(name, code):
    assert language_code(name) == code


def test_a_code_is_its_own_name_and_nonsense_gives_nothing():
    assert language_code("ara") == "ara"
    assert language_code("ar") == "ara"
    assert language_code("klingonese antico") is None


# --- Macrolanguages ---------------------------------------------------------------------------------------------------


def test_an_individual_language_and_its_macrolanguage_are_related_both_ways():
    assert related_codes("ary") == {"ary", "ara"}
    assert {"ary", "arz", "apc", "arb"} <= related_codes("ara")
    assert related_codes("cmn") == {"cmn", "zho"} and "cmn" in related_codes("zho")
    assert related_codes("pbu") == {"pbu", "pus"}
    assert related_codes("ita") == {"ita"}


def test_two_individual_languages_of_one_macrolanguage_are_not_related():
    # Cantonese is not Mandarin; Darija is hard for an Egyptian.
    assert "yue" not in related_codes("cmn")
    assert "arz" not in related_codes("ary")


def test_every_code_of_the_table_is_a_living_iso_639_3_code_and_every_head_a_macrolanguage():
    for macro in languages.MACROLANGUAGES:
        assert pycountry.languages.get(alpha_3=macro).scope == "M", macro
    kept = {code for codes in languages._members().values() for code in codes}
    assert {"ary", "apc", "cmn", "yue", "wuu", "pbu", "pst", "prs", "ckb", "kmr", "fuf", "fuc", "als", "hrv"} <= kept


@pytest.mark.django_db
def test_the_roster_search_for_a_language_finds_its_macrolanguage_and_its_individual_languages():
    district = f.DistrictFactory()
    f.MediatorFactory(districts=[district], last_name="Darija", languages=["ara:Darija"])
    f.MediatorFactory(districts=[district], last_name="Marocchino", languages=["ary"])
    f.MediatorFactory(districts=[district], last_name="Levantino", languages=["apc"])
    f.MediatorFactory(districts=[district], last_name="Egiziano", languages=["arz"])
    f.MediatorFactory(districts=[district], last_name="Mandarino", languages=["cmn"])
    f.MediatorFactory(districts=[district], last_name="Cinese", languages=["zho"])
    client = login_client(f.coordinator(district=district))

    def found(code):
        response = client.get(reverse("mediators:list"), {"language": code})
        return sorted(m.last_name for m in response.context["page"])

    assert found("ary") == ["Darija", "Marocchino"]
    assert found("ara") == ["Darija", "Egiziano", "Levantino", "Marocchino"]
    assert found("apc") == ["Darija", "Levantino"]
    assert found("zho") == ["Cinese", "Mandarino"]
    assert found("cmn") == ["Cinese", "Mandarino"]


@pytest.mark.django_db
def test_reports_count_individual_languages_under_their_macrolanguage_and_a_request_once():
    data = build_data()
    data.r1.languages.create(code="ary", variant="")
    data.r2.languages.filter(code="ara").update(code="apc")  # Arabic and French become Levantine Arabic and French
    with translation.override("it"):
        counts = dict(requests_by(scope(data))["language"])
    # The Arabic requests of the year are r1 (now Arabic and Moroccan Arabic: counted once), r2, r4 and r6.
    assert counts["Arabo"] == 4
    assert "Arabo marocchino" not in counts and "Arabo levantino" not in counts


# --- The roster's sort menu -------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected", "foreign"),
    [
        (
            "it",
            ["Nome, dalla A alla Z", "Nome, dalla Z alla A", "Ultima modifica, dalla più recente"],
            ["Name", "Updated"],
        ),
        ("en", ["Name, A to Z", "Name, Z to A", "Last change, newest first"], ["Nome", "decrescente"]),
    ],
)
def test_the_sort_menu_speaks_the_page_language_only(language, expected, foreign):
    user = f.coordinator(district=f.DistrictFactory())
    user.language = language
    user.save(update_fields=["language"])
    response = login_client(user).get(reverse("mediators:list"))
    menu = str(response.context["filter"].form["ordering"])
    for label in expected:
        assert label in menu
    for word in foreign:
        assert word not in menu
