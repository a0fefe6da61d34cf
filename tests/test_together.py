"""core/together.py reads a request's languages, countries and proposed times in one query: the same rows, fields
and order as prefetch_related, on SQLite and PostgreSQL alike."""

import re
from datetime import UTC, datetime

import pytest
from django.db.models import prefetch_related_objects

from core.together import prefetch_together
from mediators import demo as mediators_demo
from mediators.models import Mediator
from requests_app.models import MediationRequest, ProposedSlot, RequestCountry, RequestLanguage

from . import factories as f

pytestmark = pytest.mark.django_db

LISTS = ("languages", "countries", "slots")


def snapshot(request) -> dict:
    """Every field of every row of the three lists, in the order the page shows them."""

    def rows(manager):
        return [
            {field.attname: getattr(row, field.attname) for field in row._meta.concrete_fields} for row in manager.all()
        ]

    return {name: rows(getattr(request, name)) for name in LISTS}


def a_request_with_its_lists() -> MediationRequest:
    request = f.MediationRequestFactory()
    RequestLanguage.objects.filter(request=request).delete()
    RequestLanguage.objects.create(request=request, code="ara", variant="Darija")
    RequestLanguage.objects.create(request=request, code="fra", variant="")
    RequestLanguage.objects.create(request=request, code="urd", variant="Pakistan · «Lahore»")
    RequestCountry.objects.create(request=request, code="MA")
    RequestCountry.objects.create(request=request, code="DZ")
    # Stored out of order, one with microseconds, one across the night the clocks go back in Italy.
    ProposedSlot.objects.create(
        request=request,
        starts_at=datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
        ends_at=datetime(2026, 10, 25, 2, 30, tzinfo=UTC),
    )
    ProposedSlot.objects.create(
        request=request,
        starts_at=datetime(2026, 3, 2, 8, 0, 0, 123456, tzinfo=UTC),
        ends_at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
    )
    return request


def test_the_lists_read_together_equal_those_read_one_by_one(django_assert_num_queries):
    request = a_request_with_its_lists()
    expected = MediationRequest.objects.get(pk=request.pk)
    prefetch_related_objects([expected], *LISTS)
    together = MediationRequest.objects.get(pk=request.pk)
    with django_assert_num_queries(1):
        prefetch_together([together], *LISTS)
    with django_assert_num_queries(0):
        assert snapshot(together) == snapshot(expected)
        assert together.slots.all()[0].request is together  # the back reference costs no query either
    assert [row.code for row in together.countries.all()] == ["DZ", "MA"]
    assert together.slots.all()[0].starts_at == datetime(2026, 3, 2, 8, 0, 0, 123456, tzinfo=UTC)


def test_objects_without_rows_get_empty_lists_and_each_object_only_its_own():
    with_lists, without = a_request_with_its_lists(), f.MediationRequestFactory()
    RequestLanguage.objects.filter(request=without).delete()
    objects = list(MediationRequest.objects.filter(pk__in=[with_lists.pk, without.pk]).order_by("pk"))
    prefetch_together(objects, *LISTS)
    by_pk = {obj.pk: obj for obj in objects}
    assert snapshot(by_pk[without.pk]) == {"languages": [], "countries": [], "slots": []}
    assert len(by_pk[with_lists.pk].languages.all()) == 3


def test_the_demo_mediators_lists_with_dates_levels_and_flags_come_back_as_their_fields_say(demo_world):
    mediators_demo.build()
    names = ["languages", "countries", "trainings", "qualifications", "slots", "absences"]
    expected = list(Mediator.objects.order_by("pk"))
    prefetch_related_objects(expected, *names)
    together = list(Mediator.objects.order_by("pk"))
    prefetch_together(together, *names)
    assert sum(len(getattr(m, name).all()) for m in expected for name in names) > 50
    for mine, theirs in zip(together, expected, strict=True):
        for name in names:
            assert [vars_of(row) for row in getattr(mine, name).all()] == [
                vars_of(row) for row in getattr(theirs, name).all()
            ], name


def vars_of(row) -> dict:
    return {field.attname: getattr(row, field.attname) for field in row._meta.concrete_fields}


def test_a_history_and_comments_come_back_with_their_authors_as_select_related_gives_them(django_assert_num_queries):
    from django.db.models import Prefetch

    from requests_app.models import Comment, StatusChange

    request = a_request_with_its_lists()
    office_worker = f.UserFactory(first_name="Giulia", last_name="Ferrari", language="en")
    coordinator = f.UserFactory(first_name="Laura", last_name="«Rossi»", is_staff=True)
    StatusChange.objects.create(request=request, from_status="draft", to_status="submitted", by=office_worker)
    StatusChange.objects.create(request=request, from_status="submitted", to_status="matching", by=coordinator,
                                reason='Serve una mediatrice "urgente"')  # fmt: skip
    Comment.objects.create(request=request, author=coordinator, body="La famiglia preferisce il pomeriggio.")
    Comment.objects.create(request=request, author=office_worker, body="Va bene, grazie.")
    expected = MediationRequest.objects.get(pk=request.pk)
    prefetch_related_objects(
        [expected],
        Prefetch("history", queryset=StatusChange.objects.select_related("by")),
        Prefetch("comments", queryset=Comment.objects.select_related("author")),
        *LISTS,
    )
    together = MediationRequest.objects.get(pk=request.pk)
    with django_assert_num_queries(1):
        prefetch_together(
            [together], *LISTS, "history", "comments", with_related={"history": "by", "comments": "author"}
        )
    with django_assert_num_queries(0):
        assert snapshot(together) == snapshot(expected)
        for name, author in (("history", "by"), ("comments", "author")):
            mine, theirs = list(getattr(together, name).all()), list(getattr(expected, name).all())
            assert [vars_of(row) for row in mine] == [vars_of(row) for row in theirs]
            assert [vars_of(getattr(row, author)) for row in mine] == [vars_of(getattr(row, author)) for row in theirs]
            assert all(row.request is together for row in mine)
    assert [change.by.get_full_name() for change in together.history.all()] == ["Giulia Ferrari", "Laura «Rossi»"]
    assert together.comments.all()[0].author.is_staff is True


def test_one_objects_lists_come_from_sql_compiled_once_with_each_objects_own_id():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core import together as module

    first, second = a_request_with_its_lists(), a_request_with_its_lists()
    RequestCountry.objects.filter(request=second).delete()
    module._COMPILED.clear()
    expected = []
    for request in (first, second):
        reference = MediationRequest.objects.get(pk=request.pk)
        prefetch_related_objects([reference], *LISTS)
        expected.append(snapshot(reference))
    read = [MediationRequest.objects.get(pk=first.pk), MediationRequest.objects.get(pk=second.pk)]

    with CaptureQueriesContext(connection) as queries:
        for request in read:
            prefetch_together([request], *LISTS)

    assert [snapshot(request) for request in read] == expected
    assert snapshot(read[1])["countries"] == [] and len(snapshot(read[0])["countries"]) == 2
    assert len(module._COMPILED) == 1
    sql = [query["sql"] for query in queries.captured_queries]
    assert len(sql) == 2 and f"IN ({first.pk})" in sql[0] and f"IN ({second.pk})" in sql[1]
    assert re.sub(r"IN \(\d+\)", "IN (ID)", sql[0]) == re.sub(r"IN \(\d+\)", "IN (ID)", sql[1])


def test_a_list_kept_by_a_condition_is_compiled_once_for_each_value_of_the_condition():
    from datetime import date

    from django.db.models import Q

    from core import together as module
    from mediators.models import Absence

    mediator = f.MediatorFactory()
    Absence.objects.create(mediator=mediator, start_date=date(2026, 12, 1), end_date=date(2026, 12, 5), reason="Ferie")
    Absence.objects.create(mediator=mediator, start_date=date(2026, 12, 9), end_date=date(2026, 12, 12), reason="Corso")
    module._COMPILED.clear()

    def absences_from(day):
        read = Mediator.objects.get(pk=mediator.pk)
        prefetch_together([read], "languages", "absences", where={"absences": Q(end_date__gte=day)})
        return [absence.reason for absence in read.absences.all()]

    assert absences_from(date(2026, 12, 3)) == ["Ferie", "Corso"]
    assert absences_from(date(2026, 12, 3)) == ["Ferie", "Corso"]
    assert len(module._COMPILED) == 1
    assert absences_from(date(2026, 12, 6)) == ["Corso"]  # another day: its own SQL, not yesterday's
    assert absences_from(date(2026, 12, 13)) == []
    assert len(module._COMPILED) == 3
