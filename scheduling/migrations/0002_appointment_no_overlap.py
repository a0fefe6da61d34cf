"""On PostgreSQL the database itself refuses two live appointments of one mediator that overlap in time.

SQLite has no exclusion constraints: there, as everywhere, the scheduling service checks first and locks the
mediator's row, so the user gets a clear message on any database.
"""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

CREATE = """
ALTER TABLE scheduling_appointment
ADD CONSTRAINT appointment_no_overlap
EXCLUDE USING gist (mediator_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
WHERE (status NOT IN ('cancelled', 'void'))
"""
DROP = "ALTER TABLE scheduling_appointment DROP CONSTRAINT IF EXISTS appointment_no_overlap"


class PostgreSQLOnly(migrations.RunSQL):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0001_initial")]

    operations = [BtreeGistExtension(), PostgreSQLOnly(CREATE, DROP)]
