"""A row's short lists read in the row's own query (core.text_lists): what goes in comes back, whatever the names."""

import pytest

from core.text_lists import items
from mediators import selectors
from mediators.models import Mediator

from . import factories as f


@pytest.mark.django_db
def test_a_mediators_districts_and_languages_come_back_exactly_as_written():
    province = f.ProvinceFactory()
    names = ["Sant'Angelo, Lodigiano", 'Città "di" Castello', "Ambito <Nord> & Sud"]
    districts = [f.DistrictFactory(province=province, name=name) for name in names]
    f.MediatorFactory(districts=districts, languages=["tir:Asmara, Keren", "ara", "ara:Darija"])
    f.MediatorFactory(languages=[]).districts.clear()
    many, none = selectors.with_row_lists(list(selectors.roster_rows(Mediator.objects.order_by("pk"))))
    assert [d.name for d in many.district_list] == sorted(names)
    assert [(x.code, x.variant) for x in many.language_list] == [
        ("ara", ""),
        ("ara", "Darija"),
        ("tir", "Asmara, Keren"),
    ]
    assert (none.district_list, none.language_list) == ([], [])


def test_nothing_listed_reads_as_no_item():
    assert (list(items(None)), list(items("")), items(None, sort=True)) == ([], [], [])
