"""On PostgreSQL the database itself refuses to change or delete a row of the read audit.

The ORM already refuses (audit.models.ReadEvent and its queryset); the trigger also stops raw SQL, a shell, or a
future bug. TRUNCATE is left alone: it is a table owner's operation, and the test suite's flush between
transactional tests needs it. SQLite, the embedded default, relies on the ORM's refusal.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION audit_readevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the read audit is append-only: % refused on audit_readevent', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_readevent_append_only
BEFORE UPDATE OR DELETE ON audit_readevent
FOR EACH ROW EXECUTE FUNCTION audit_readevent_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS audit_readevent_append_only ON audit_readevent;
DROP FUNCTION IF EXISTS audit_readevent_append_only();
"""


class PostgreSQLOnly(migrations.RunSQL):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [PostgreSQLOnly(CREATE, DROP)]
