"""PostgreSQL: the questions' search vector, kept by a trigger, with a GIN index. Nothing on SQLite (the demo searches
the words with LIKE: faq.selectors).

A trigger rather than a generated column: Django writes every field of the model on INSERT, and a generated column
refuses that; the column stays an ordinary ``tsvector`` on the model. Weights: the question's title (A), the tags (B),
the question's details (C) and the answer's plain text (D), all in the Italian configuration (stemming and stop words).
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION faq_question_search_vector() RETURNS trigger AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('italian'::regconfig, coalesce(NEW.title, '')), 'A') ||
        setweight(to_tsvector('italian'::regconfig, coalesce(NEW.tag_names, '')), 'B') ||
        setweight(to_tsvector('italian'::regconfig, coalesce(NEW.body, '')), 'C') ||
        setweight(to_tsvector('italian'::regconfig, coalesce(NEW.answer_text, '')), 'D');
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
"""
TRIGGER = """
CREATE TRIGGER faq_question_search_vector_update
    BEFORE INSERT OR UPDATE OF title, tag_names, body, answer_text, search_vector ON faq_question
    FOR EACH ROW EXECUTE FUNCTION faq_question_search_vector();
"""
INDEX = "CREATE INDEX IF NOT EXISTS faq_question_search_idx ON faq_question USING gin (search_vector);"
FILL = "UPDATE faq_question SET title = title;"

DROP = """
DROP INDEX IF EXISTS faq_question_search_idx;
DROP TRIGGER IF EXISTS faq_question_search_vector_update ON faq_question;
DROP FUNCTION IF EXISTS faq_question_search_vector();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in (FUNCTION, TRIGGER, INDEX, FILL):
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("faq", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
