"""Search per language: a text-search vector per site language on the course, each in its
language's configuration (French and English stemming on words without accents, as tc_dutch
does for Dutch), GIN-indexed; suggestion words tagged with their language.

The French and English vectors are empty until `manage.py update_search_index` runs (part of
every upgrade); until then a search in those languages still matches the Dutch vector.
"""

import django.contrib.postgres.search
from django.db import migrations, models

from catalogue.migration_operations import PostgresOnlySQL


def configuration(name: str, parser: str, stem: str) -> str:
    return f"""
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = '{name}') THEN
        CREATE TEXT SEARCH CONFIGURATION {name} (COPY = pg_catalog.{parser});
        ALTER TEXT SEARCH CONFIGURATION {name}
            ALTER MAPPING FOR hword, hword_part, word WITH unaccent, {stem};
    END IF;
END
$$;
"""


class Migration(migrations.Migration):

    dependencies = [
        ("trainings", "0012_content_translations"),
    ]

    operations = [
        PostgresOnlySQL(
            configuration("tc_french", "french", "french_stem"),
            "DROP TEXT SEARCH CONFIGURATION IF EXISTS tc_french;",
        ),
        PostgresOnlySQL(
            configuration("tc_english", "english", "english_stem"),
            "DROP TEXT SEARCH CONFIGURATION IF EXISTS tc_english;",
        ),
        migrations.RenameField(
            model_name="course",
            old_name="search_vector",
            new_name="search_vector_nl",
        ),
        PostgresOnlySQL(
            "ALTER INDEX IF EXISTS course_search_vector RENAME TO course_search_vector_nl;",
            "ALTER INDEX IF EXISTS course_search_vector_nl RENAME TO course_search_vector;",
        ),
        migrations.AddField(
            model_name="course",
            name="search_vector_fr",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="course",
            name="search_vector_en",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        PostgresOnlySQL(
            "CREATE INDEX course_search_vector_fr ON trainings_course USING gin (search_vector_fr);",
            "DROP INDEX IF EXISTS course_search_vector_fr;",
        ),
        PostgresOnlySQL(
            "CREATE INDEX course_search_vector_en ON trainings_course USING gin (search_vector_en);",
            "DROP INDEX IF EXISTS course_search_vector_en;",
        ),
        migrations.AddField(
            model_name="searchword",
            name="language",
            field=models.CharField(default="nl", max_length=10),
        ),
        migrations.AlterField(
            model_name="searchword",
            name="word",
            field=models.CharField(max_length=100),
        ),
        migrations.AddConstraint(
            model_name="searchword",
            constraint=models.UniqueConstraint(
                fields=("language", "word"), name="searchword_language_word"
            ),
        ),
        # Backwards, words are unique again: keep the Dutch list (refresh() rebuilds it).
        migrations.RunSQL(
            migrations.RunSQL.noop,
            "DELETE FROM trainings_searchword WHERE language <> 'nl';",
        ),
    ]
