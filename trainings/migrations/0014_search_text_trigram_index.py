"""A trigram index on the course's stored search text (PostgreSQL).

A search matches a word inside a compound ("dienst" in "overheidsdiensten") with
`search_text LIKE '%…%'` beside the text-search vector. Without an index for that LIKE,
PostgreSQL read every course row (and its out-of-line search data) on every search: some
90 ms at 10 000 courses, whether a word matched ten courses or none. With it, both halves
of the search come from indexes and only the matching rows are read.
"""

from django.db import migrations

from catalogue.migration_operations import PostgresOnlySQL


class Migration(migrations.Migration):

    dependencies = [
        ("trainings", "0013_search_per_language"),
    ]

    operations = [
        PostgresOnlySQL(
            "CREATE INDEX IF NOT EXISTS course_search_text_trgm "
            "ON trainings_course USING gin (search_text gin_trgm_ops);",
            "DROP INDEX IF EXISTS course_search_text_trgm;",
        ),
    ]
