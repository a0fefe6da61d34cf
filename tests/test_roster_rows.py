"""The roster's rows are written by Python (mediators/templatetags/roster.py) exactly as the list's template wrote
them: that template is kept as the reference (tests/roster_row_reference.html), and both write the same page of
mediators, in Italian and in English."""

import pytest
from django.template import Context
from django.utils import translation

from mediators import selectors
from mediators.models import Mediator
from mediators.templatetags.roster import roster_rows

from . import factories as f
from .reference_html import normal, reference

REFERENCE = reference("roster_row_reference.html")


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["it", "en"])
def test_every_kind_of_row_is_written_as_the_template_wrote_it(language):
    provider = f.ProviderFactory(name='Cooperativa "Ponti" & <Parole>')
    north, south = (f.DistrictFactory(province=provider.province, name=name) for name in ("Nord & Est", "Sud"))
    f.MediatorFactory(provider=provider, first_name="Amina", last_name="<b>Benali</b>", districts=[north, south],
                      languages=["ara:Darija marocchino", "fra", "ita"], gender="female", mode_phone=True,
                      mode_video=True)  # fmt: skip
    f.MediatorFactory(provider=provider, first_name="Oleksandr", last_name="Kovalenko", districts=[south],
                      languages=["ukr"], gender="male", is_active=False, mode_in_person=False)  # fmt: skip
    f.MediatorFactory(provider=provider, first_name="Li", last_name="Wei", districts=[north], languages=[],
                      gender="other")  # fmt: skip
    rows = selectors.with_row_lists(list(selectors.roster_rows(Mediator.objects.order_by("last_name"))))
    assert len(rows) == 3
    with translation.override(language):
        written = normal(roster_rows(rows))
        expected = normal(REFERENCE.render(Context({"page": rows, "LANGUAGE_CODE": language})))
    assert written == expected
    assert written.count('data-testid="roster-row"') == 3
    assert "&lt;b&gt;Benali&lt;/b&gt;" in written and "Nord &amp; Est, Sud" in written
    assert ("Non attivo" if language == "it" else "Not active") in written


@pytest.mark.django_db
def test_an_empty_page_writes_no_row():
    assert roster_rows([]) == ""
