"""A database made before the apps were split is refused with a sentence (migrate runs the database checks first)."""

import pytest
from django.db.migrations.recorder import MigrationRecorder

from mediazione.checks import check_database_made_before_the_rooms

pytestmark = pytest.mark.django_db


def test_a_database_made_before_the_split_is_refused_with_how_to_make_it_again():
    MigrationRecorder.Migration.objects.create(app="requests_app", name="0007_notification_details")
    (error,) = check_database_made_before_the_rooms(databases=["default"])
    assert error.id == "mediazione.E002"
    assert "made before the portal's apps were split" in error.msg and "delete db.sqlite3" in error.hint


def test_a_database_made_after_the_split_passes():
    assert check_database_made_before_the_rooms(databases=["default"]) == []
