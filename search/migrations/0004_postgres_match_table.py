"""PostgreSQL only: a narrow table that a search reads instead of joining the catalogue.

Broad words (a city, 手工) match a third of the catalogue. Counting their facets exactly
used to join every match to the product, shop, certificate, category, region and
producer tables, and to read the wide search entry rows (about 1.3 kB each: tokens plus
the vectors generated from them; PostgreSQL moves values out of line only for rows over
about 2 kB, so the ``toast_tuple_target`` of migration 0002 never took effect). At
100,000 products that was the p95 of 124 ms.

``product_search_match`` holds, per indexed product, the two vectors and the product
columns search filters, counts and sorts on (about 0.9 kB a row, no text), and the
periods of its certificates that are not revoked as a ``datemultirange``. Whether a
product is listed is still decided at query time, exactly as ``Product.objects.listed()``
decides it: ``is_listed``, the shop active (a sub-query on the small shop table) and a
certificate period containing today. Only the copies are kept here, and they are kept
by triggers, so no write can leave them stale: ORM saves, queryset ``update()``, raw SQL,
bulk inserts, ``TRUNCATE`` by test flushes.

- search entry inserted / updated: its row is (re)built from the entry, the product and
  the certificates; deleted: removed; truncated: the table is emptied;
- product updated: its copied columns are updated;
- certificate inserted / updated / deleted: the product's periods are recomputed.

The vectors move here from the entry table (generated columns of migration 0002, which
are dropped). They are built without weights: on position-less lexemes ``setweight``
stored nothing, so they are the same vectors. Empty strings are dropped from the token
arrays; the generated columns failed on a title with no Chinese (empty pinyin).

Needs PostgreSQL 14 or later (multiranges). Other databases skip all this; their search
joins the catalogue instead (``search.backends.database``)."""

from django.db import migrations

ENTRY = "product_search_productsearchentry"
MATCH = "product_search_match"


def _tokens(expr: str) -> str:
    return f"array_to_tsvector(array_remove(string_to_array({expr}, ' '), ''))"


TITLE_VECTOR = _tokens("e.title_tokens || ' ' || e.title_pinyin")
SEARCH_VECTOR = _tokens("e.title_tokens || ' ' || e.title_pinyin || ' ' || e.body_tokens")
PRODUCT_COLUMNS = [
    "shop_id",
    "category_id",
    "origin_region_id",
    "producer_id",
    "created_at",
    "price_fen",
    "stock",
    "units_sold",
    "is_listed",
]
COPIED = ", ".join(PRODUCT_COLUMNS)
FROM_PRODUCT = ", ".join(f"p.{c}" for c in PRODUCT_COLUMNS)
FROM_MATCH = ", ".join(f"m.{c}" for c in PRODUCT_COLUMNS)
SET_FROM_PRODUCT = ", ".join(f"{c} = p.{c}" for c in PRODUCT_COLUMNS)
SET_EXCLUDED = ", ".join(f"{c} = EXCLUDED.{c}" for c in [*PRODUCT_COLUMNS, "certified", "title_vector", "search_vector"])

FORWARD = f"""
CREATE TABLE {MATCH} (
    product_id bigint PRIMARY KEY,
    shop_id bigint NOT NULL,
    category_id bigint NOT NULL,
    origin_region_id bigint NOT NULL,
    producer_id bigint NOT NULL,
    created_at timestamptz NOT NULL,
    price_fen integer NOT NULL,
    stock integer NOT NULL,
    units_sold integer NOT NULL,
    is_listed boolean NOT NULL,
    certified datemultirange NOT NULL,
    title_vector tsvector NOT NULL,
    search_vector tsvector NOT NULL
);
CREATE INDEX product_search_match_vector ON {MATCH} USING gin (search_vector);

-- The periods of a product's certificates that are not revoked; "valid today" is
-- checked by the search itself, so a lapsing certificate needs no write at all.
CREATE FUNCTION product_search_certified(pid bigint) RETURNS datemultirange
LANGUAGE sql STABLE AS $$
    SELECT coalesce(range_agg(daterange(valid_from, valid_until, '[]')), '{{}}'::datemultirange)
    FROM certification_certificate WHERE product_id = pid AND revoked_at IS NULL
$$;

CREATE FUNCTION product_search_match_entries_written() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {MATCH} (product_id, {COPIED}, certified, title_vector, search_vector)
    SELECT p.id, {FROM_PRODUCT}, product_search_certified(p.id), {TITLE_VECTOR}, {SEARCH_VECTOR}
    FROM written_entries e JOIN catalog_product p ON p.id = e.product_id
    ON CONFLICT (product_id) DO UPDATE SET {SET_EXCLUDED};
    RETURN NULL;
END $$;
CREATE TRIGGER product_search_match_entry_inserted AFTER INSERT ON {ENTRY}
    REFERENCING NEW TABLE AS written_entries
    FOR EACH STATEMENT EXECUTE FUNCTION product_search_match_entries_written();
CREATE TRIGGER product_search_match_entry_updated AFTER UPDATE ON {ENTRY}
    REFERENCING NEW TABLE AS written_entries
    FOR EACH STATEMENT EXECUTE FUNCTION product_search_match_entries_written();

CREATE FUNCTION product_search_match_entries_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM {MATCH} WHERE product_id IN (SELECT product_id FROM deleted_entries);
    RETURN NULL;
END $$;
CREATE TRIGGER product_search_match_entry_deleted AFTER DELETE ON {ENTRY}
    REFERENCING OLD TABLE AS deleted_entries
    FOR EACH STATEMENT EXECUTE FUNCTION product_search_match_entries_deleted();

CREATE FUNCTION product_search_match_entries_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE {MATCH};
    RETURN NULL;
END $$;
CREATE TRIGGER product_search_match_entry_truncated AFTER TRUNCATE ON {ENTRY}
    FOR EACH STATEMENT EXECUTE FUNCTION product_search_match_entries_truncated();

CREATE FUNCTION product_search_match_products_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE {MATCH} m SET {SET_FROM_PRODUCT}
    FROM updated_products p
    -- Only rows whose copies changed (a title edit rewrites nothing here).
    WHERE m.product_id = p.id AND ({FROM_MATCH}) IS DISTINCT FROM ({FROM_PRODUCT});
    RETURN NULL;
END $$;
CREATE TRIGGER product_search_match_product_updated AFTER UPDATE ON catalog_product
    REFERENCING NEW TABLE AS updated_products
    FOR EACH STATEMENT EXECUTE FUNCTION product_search_match_products_updated();

CREATE FUNCTION product_search_match_certificates_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE {MATCH} m SET certified = product_search_certified(m.product_id)
    WHERE m.product_id IN (SELECT product_id FROM new_certificates);
    RETURN NULL;
END $$;
CREATE TRIGGER product_search_match_certificate_inserted AFTER INSERT ON certification_certificate
    REFERENCING NEW TABLE AS new_certificates
    FOR EACH STATEMENT EXECUTE FUNCTION product_search_match_certificates_inserted();

CREATE FUNCTION product_search_match_certificates_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE {MATCH} m SET certified = product_search_certified(m.product_id)
    WHERE m.product_id IN (SELECT product_id FROM new_certificates UNION SELECT product_id FROM old_certificates);
    RETURN NULL;
END $$;
CREATE TRIGGER product_search_match_certificate_updated AFTER UPDATE ON certification_certificate
    REFERENCING NEW TABLE AS new_certificates OLD TABLE AS old_certificates
    FOR EACH STATEMENT EXECUTE FUNCTION product_search_match_certificates_updated();

CREATE FUNCTION product_search_match_certificates_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE {MATCH} m SET certified = product_search_certified(m.product_id)
    WHERE m.product_id IN (SELECT product_id FROM old_certificates);
    RETURN NULL;
END $$;
CREATE TRIGGER product_search_match_certificate_deleted AFTER DELETE ON certification_certificate
    REFERENCING OLD TABLE AS old_certificates
    FOR EACH STATEMENT EXECUTE FUNCTION product_search_match_certificates_deleted();

-- The rows of what is indexed already; then the vectors leave the entry table.
INSERT INTO {MATCH} (product_id, {COPIED}, certified, title_vector, search_vector)
SELECT p.id, {FROM_PRODUCT}, product_search_certified(p.id), {TITLE_VECTOR}, {SEARCH_VECTOR}
FROM {ENTRY} e JOIN catalog_product p ON p.id = e.product_id;
ANALYZE {MATCH};
DROP INDEX IF EXISTS product_search_vector_gin;
ALTER TABLE {ENTRY} DROP COLUMN IF EXISTS search_vector, DROP COLUMN IF EXISTS title_vector;
ALTER TABLE {ENTRY} RESET (toast_tuple_target);
"""

# Back to migration 0002's state.
OLD_TITLE = "array_to_tsvector(string_to_array(title_tokens || ' ' || title_pinyin, ' '))"
OLD_VECTOR = f"setweight({OLD_TITLE}, 'A') || setweight(array_to_tsvector(string_to_array(body_tokens, ' ')), 'B')"
BACKWARD = f"""
DROP TRIGGER IF EXISTS product_search_match_certificate_deleted ON certification_certificate;
DROP TRIGGER IF EXISTS product_search_match_certificate_updated ON certification_certificate;
DROP TRIGGER IF EXISTS product_search_match_certificate_inserted ON certification_certificate;
DROP TRIGGER IF EXISTS product_search_match_product_updated ON catalog_product;
DROP TRIGGER IF EXISTS product_search_match_entry_truncated ON {ENTRY};
DROP TRIGGER IF EXISTS product_search_match_entry_deleted ON {ENTRY};
DROP TRIGGER IF EXISTS product_search_match_entry_updated ON {ENTRY};
DROP TRIGGER IF EXISTS product_search_match_entry_inserted ON {ENTRY};
DROP FUNCTION IF EXISTS product_search_match_certificates_deleted();
DROP FUNCTION IF EXISTS product_search_match_certificates_updated();
DROP FUNCTION IF EXISTS product_search_match_certificates_inserted();
DROP FUNCTION IF EXISTS product_search_match_products_updated();
DROP FUNCTION IF EXISTS product_search_match_entries_truncated();
DROP FUNCTION IF EXISTS product_search_match_entries_deleted();
DROP FUNCTION IF EXISTS product_search_match_entries_written();
DROP FUNCTION IF EXISTS product_search_certified(bigint);
DROP TABLE IF EXISTS {MATCH};
ALTER TABLE {ENTRY} SET (toast_tuple_target = 128);
ALTER TABLE {ENTRY} ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({OLD_VECTOR}) STORED,
    ADD COLUMN title_vector tsvector GENERATED ALWAYS AS ({OLD_TITLE}) STORED;
CREATE INDEX product_search_vector_gin ON {ENTRY} USING gin (search_vector);
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("product_search", "0003_seed_synonyms"),
        ("catalog", "0003_product_units_sold"),
        ("certification", "0001_initial"),
    ]

    operations = [migrations.RunPython(forward, backward)]
