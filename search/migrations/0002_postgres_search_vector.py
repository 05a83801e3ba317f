"""PostgreSQL only: generated tsvectors over the pre-segmented tokens, with a GIN index.

The tokens are already cut by jieba, so the vectors are built from the space-separated
lists directly (array_to_tsvector), never through a text-search parser: no Chinese
parser plugin is needed.

- ``search_vector``: every token (title weighted A, the rest B), GIN-indexed: matching.
- ``title_vector``: the title's tokens and pinyin only, small: ranking (ts_rank).

``toast_tuple_target`` moves the long token columns out of the main table, so a search
that visits thousands of matching rows reads narrow rows; the GIN index answers the match
without reading the vectors back. Other databases skip all this and match on the
``document`` column instead."""

from django.db import migrations

TABLE = "product_search_productsearchentry"
TITLE = "array_to_tsvector(string_to_array(title_tokens || ' ' || title_pinyin, ' '))"
VECTOR = f"setweight({TITLE}, 'A') || setweight(array_to_tsvector(string_to_array(body_tokens, ' ')), 'B')"


def add_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE {TABLE} SET (toast_tuple_target = 128)")
    schema_editor.execute(
        f"ALTER TABLE {TABLE} ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({VECTOR}) STORED,"
        f" ADD COLUMN title_vector tsvector GENERATED ALWAYS AS ({TITLE}) STORED"
    )
    schema_editor.execute(f"CREATE INDEX product_search_vector_gin ON {TABLE} USING gin (search_vector)")


def drop_vectors(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS product_search_vector_gin")
    schema_editor.execute(
        f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS search_vector, DROP COLUMN IF EXISTS title_vector"
    )
    schema_editor.execute(f"ALTER TABLE {TABLE} RESET (toast_tuple_target)")


class Migration(migrations.Migration):
    dependencies = [("product_search", "0001_initial")]

    operations = [migrations.RunPython(add_vectors, drop_vectors)]
