"""Keeping the Elasticsearch index in step, through the real client and the local
endpoint: pushes after commit, batched per transaction; certificates issued, revoked and
expired; closed shops; ``search_reindex`` building a new index behind the alias."""

import datetime as dt
import logging
import re

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from catalog.models import Product
from certification import services
from certification.models import Application, Status
from certification.tasks import record_expiries
from producers.models import Region
from tests.factories import ProductFactory, UserFactory, certify_product, officer_for

from .fake_elasticsearch import search_response
from .helpers import empty_aggregations, titles

pytestmark = pytest.mark.django_db

OLD_INDEX = "test-products-20260101000000000000"  # made by the fake_es fixture


@pytest.fixture
def yam(shops, categories):
    return ProductFactory(
        shop=shops["shan"],
        category=categories["tubers"],
        title="菏泽铁棍山药",
        summary="沙土地种植",
        description="",
        price_fen=5990,
        stock=50,
    )


def actions(bulk) -> list[dict]:
    """The action lines of a bulk request (the document lines follow index actions)."""
    out, lines = [], list(bulk.body)
    while lines:
        action = lines.pop(0)
        out.append(action)
        if "index" in action:
            lines.pop(0)
    return out


def test_the_bulk_request_for_a_product(fake_es, storefront, shops, categories, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        yam = ProductFactory(
            shop=shops["shan"],
            category=categories["tubers"],
            title="菏泽铁棍山药",
            summary="沙土地种植",
            description="",
            price_fen=5990,
            stock=50,
        )
    certificate = yam.certificates.get()

    (bulk,) = fake_es.bulks()
    assert (bulk.method, bulk.path, bulk.params) == ("PUT", "/_bulk", {"require_alias": "true"})
    assert bulk.body == [
        {"index": {"_index": "test-products", "_id": str(yam.pk)}},
        {
            "product_id": yam.pk,
            "title": "菏泽铁棍山药",
            "title_tokens": "菏泽 铁棍 山药 铁棍山药 棍山",
            "title_pinyin": ["heze", "hz", "tiegun", "tg", "shanyao", "sy", "tiegunshanyao", "tgsy"],
            "body": f"沙土地种植 {yam.producer.name} 李庄村电商服务站 山药薯类 果蔬 李庄村 浮岗镇 单县 菏泽市 山东省",
            "body_tokens": (
                "沙土 土地 沙土地 种植 测试 合作 合作社 "
                + re.sub(r"\D", "", yam.producer.name)
                + " 李庄村 电商 服务 服务站 薯类 果蔬 浮岗镇 单县 菏泽市 山东 山东省 shanyao sy shulei sl guoshu gs"
                " lizhuangcun lzc fugangzhen fgz danxian dx heze hz hezeshi hzs shandong sd shandongsheng sds"
            ),
            "category_id": categories["tubers"].pk,
            "category_root": "fruit-veg",
            "province": "37",
            "city": "3717",
            "county": "371722",
            "producer_kind": "cooperative",
            "price_fen": 5990,
            "stock": 50,
            "in_stock": True,
            "units_sold": 0,
            "created_at": yam.created_at.isoformat(),
            "is_listed": True,
            "shop_active": True,
            "certified": [{"gte": certificate.valid_from.isoformat(), "lte": certificate.valid_until.isoformat()}],
        },
    ]
    assert fake_es.documents("test-products")[str(yam.pk)]["title"] == "菏泽铁棍山药"


def test_many_saves_in_one_transaction_make_one_bulk_request(
    fake_es, storefront, shops, categories, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        made = [ProductFactory(shop=shops["shan"], category=categories["tubers"], title=f"山药{i}号") for i in range(6)]
        made[0].stock = 3
        made[0].save(update_fields=["stock", "updated_at"])
        made[1].title = "山药礼盒"
        made[1].save()

    (bulk,) = fake_es.bulks()
    assert actions(bulk) == [{"index": {"_index": "test-products", "_id": str(p.pk)}} for p in made]
    docs = fake_es.documents("test-products")
    assert docs[str(made[0].pk)]["stock"] == 3 and docs[str(made[0].pk)]["in_stock"] is True
    assert docs[str(made[1].pk)]["title"] == "山药礼盒"


def test_a_rolled_back_savepoint_neither_loses_the_batch_nor_indexes_what_it_undid(
    fake_es, storefront, shops, categories, django_capture_on_commit_callbacks
):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                undone = ProductFactory(shop=shops["shan"], category=categories["tubers"], title="撤回的山药")
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        kept = ProductFactory(shop=shops["shan"], category=categories["tubers"], title="留下的山药")

    (bulk,) = fake_es.bulks()
    expected = [{"index": {"_index": "test-products", "_id": str(kept.pk)}}]
    if undone.pk != kept.pk:  # SQLite hands the rolled-back id out again; PostgreSQL does not
        # No such product: its document is deleted (there is none), never indexed.
        expected.insert(0, {"delete": {"_index": "test-products", "_id": str(undone.pk)}})
    assert actions(bulk) == expected
    assert set(fake_es.documents("test-products")) == {str(kept.pk)}


def test_revoking_a_certificate_deletes_the_document_and_the_product_never_shows(
    client, fake_es, yam, shops, categories, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        gift = ProductFactory(shop=shops["shan"], category=categories["tubers"], title="铁棍山药礼盒")
    # yam's own push was waiting for a commit the test never makes; it went with gift's.
    assert set(fake_es.documents("test-products")) == {str(yam.pk), str(gift.pk)}

    officer = officer_for(Region.objects.get(code="371722"))
    application = yam.certificates.get().application
    fake_es.requests.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.apply_transition(application.pk, "revoke", by=officer, note="抽检不合格")

    (bulk,) = fake_es.bulks()
    assert bulk.body == [{"delete": {"_index": "test-products", "_id": str(yam.pk)}}]
    assert set(fake_es.documents("test-products")) == {str(gift.pk)}
    # Even an answer that still lists it (a replica behind, a push lost) does not show it.
    fake_es.queue_search(
        search_response(
            [{"product_id": yam.pk, "title": yam.title}, {"product_id": gift.pk, "title": gift.title}],
            aggregations=empty_aggregations(),
        )
    )
    assert titles(client.get("/search/", {"q": "山药"})) == ["铁棍山药礼盒"]


def test_certifying_through_the_workflow_indexes_the_product(
    fake_es, storefront, shops, categories, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        product = ProductFactory(shop=shops["shan"], category=categories["tubers"], title="山药粉", certified=False)
    # Not certified: nothing to show, so the document is deleted (it never existed).
    assert actions(fake_es.bulks()[-1]) == [{"delete": {"_index": "test-products", "_id": str(product.pk)}}]

    application = Application.objects.create(
        product=product,
        producer=product.producer,
        benefit_modes=["purchase"],
        households_count=1,
        status=Status.UNDER_REVIEW,
        created_by=UserFactory(),
    )
    officer = officer_for(Region.objects.get(code="371722"))
    with django_capture_on_commit_callbacks(execute=True):
        services.apply_transition(application.pk, "certify", by=officer)

    certificate = product.certificates.get()
    document = fake_es.documents("test-products")[str(product.pk)]
    assert document["certified"] == [
        {"gte": certificate.valid_from.isoformat(), "lte": certificate.valid_until.isoformat()}
    ]


def test_a_recorded_expiry_deletes_the_document(
    fake_es, storefront, shops, categories, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        product = ProductFactory(shop=shops["shan"], category=categories["tubers"], title="山药片", certified=False)
        certify_product(product, valid_from=today - dt.timedelta(days=30), valid_until=today + dt.timedelta(days=3))
    assert str(product.pk) in fake_es.documents("test-products")

    # The last day passes: the query-time filter hides it at once; the nightly task records
    # the expiry, and that removes the document.
    product.certificates.update(valid_until=today - dt.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert record_expiries() == 1
    assert str(product.pk) not in fake_es.documents("test-products")


def test_closing_a_shop_deletes_its_products_in_one_request(
    fake_es, storefront, shops, categories, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        made = [ProductFactory(shop=shops["chengwu"], category=categories["tubers"]) for _ in range(3)]
        other = ProductFactory(shop=shops["shan"], category=categories["tubers"])
    fake_es.requests.clear()

    with django_capture_on_commit_callbacks(execute=True):
        shops["chengwu"].is_active = False
        shops["chengwu"].save()

    (bulk,) = fake_es.bulks()
    assert bulk.body == [{"delete": {"_index": "test-products", "_id": str(p.pk)}} for p in made]
    assert set(fake_es.documents("test-products")) == {str(other.pk)}


def test_a_failed_push_does_not_break_the_save_and_is_logged(
    fake_es, storefront, shops, categories, django_capture_on_commit_callbacks, caplog
):
    fake_es.fail_next(400, "illegal_argument_exception", "simulated refusal", path="/_bulk")
    with caplog.at_level(logging.ERROR, logger="search.tasks"):
        with django_capture_on_commit_callbacks(execute=True):
            product = ProductFactory(shop=shops["shan"], category=categories["tubers"], title="山药")

    assert Product.objects.filter(pk=product.pk).exists()
    assert any("Elasticsearch push of 1 products failed" in r.getMessage() for r in caplog.records)
    assert fake_es.documents("test-products") == {}


def test_pushing_before_any_reindex_never_creates_an_index_by_accident(
    fake_es, storefront, shops, categories, django_capture_on_commit_callbacks
):
    fake_es.indices.clear()
    fake_es.aliases.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ProductFactory(shop=shops["shan"], category=categories["tubers"], title="山药")

    assert len(fake_es.bulks()) == 1
    assert fake_es.indices == {}  # require_alias refused it; nothing was guessed


# -- search_reindex -----------------------------------------------------------------


def test_search_reindex_builds_a_new_index_and_switches_the_alias(fake_es, yam, shops, categories, capsys):
    other = ProductFactory(shop=shops["chengwu"], category=categories["grain_oil"], title="小米")
    hidden = ProductFactory(shop=shops["chengwu"], category=categories["grain_oil"], title="未认定", certified=False)
    fake_es.requests.clear()

    call_command("search_reindex", "--backend", "elasticsearch", "--batch-size", "2", verbosity=1)

    new = fake_es.calls("PUT", "/test-products-")[0].path.lstrip("/")
    assert new != OLD_INDEX and re.fullmatch(r"test-products-\d{20}", new)
    assert [(r.method, r.path) for r in fake_es.requests] == [
        ("PUT", f"/{new}"),
        ("PUT", "/_bulk"),  # yam and other (batch of 2); the next batch holds only the
        # uncertified product, which is not indexed: no request
        ("POST", f"/{new}/_refresh"),
        ("GET", "/_alias/test-products"),
        ("POST", "/_aliases"),
        ("DELETE", f"/{OLD_INDEX}"),
    ]
    (bulk,) = fake_es.bulks()
    assert actions(bulk) == [{"index": {"_index": new, "_id": str(p.pk)}} for p in (yam, other)]
    (switch,) = fake_es.calls("POST", "/_aliases")
    assert switch.body == {
        "actions": [
            {"remove": {"index": OLD_INDEX, "alias": "test-products"}},
            {"add": {"index": new, "alias": "test-products"}},
        ]
    }
    assert fake_es.aliases == {"test-products": {new}}
    assert OLD_INDEX not in fake_es.indices
    assert set(fake_es.documents("test-products")) == {str(yam.pk), str(other.pk)}
    assert str(hidden.pk) not in fake_es.documents("test-products")
    out = capsys.readouterr()
    assert "Elasticsearch: 2 documents into" in out.out and "alias test-products switched" in out.out
    assert "Elasticsearch" in out.err and "3/3" in out.err  # the tqdm progress bar


def test_products_changed_during_a_reindex_are_pushed_again_after_the_switch(fake_es, yam):
    # Saved "after" the reindex started, as a worker would while it runs.
    Product.objects.filter(pk=yam.pk).update(updated_at=timezone.now() + dt.timedelta(hours=1))
    fake_es.requests.clear()

    call_command("search_reindex", "--backend", "elasticsearch", verbosity=0)

    switch_at = [i for i, r in enumerate(fake_es.requests) if r.path == "/_aliases"][0]
    after = [r for r in fake_es.requests[switch_at:] if r.path == "/_bulk"]
    assert len(after) == 1 and actions(after[0]) == [{"index": {"_index": "test-products", "_id": str(yam.pk)}}]


def test_the_first_reindex_only_adds_the_alias(fake_es, yam):
    fake_es.indices.clear()
    fake_es.aliases.clear()

    call_command("search_reindex", "--backend", "elasticsearch", verbosity=0)

    (switch,) = fake_es.calls("POST", "/_aliases")
    (new,) = fake_es.indices
    assert switch.body == {"actions": [{"add": {"index": new, "alias": "test-products"}}]}
    assert not fake_es.calls("DELETE")


def test_a_failed_reindex_leaves_the_alias_on_the_old_index(fake_es, yam):
    fake_es.fail_next(400, "mapper_parsing_exception", "failed to parse", path="/_bulk")
    fake_es.requests.clear()

    with pytest.raises(CommandError, match="alias is unchanged"):
        call_command("search_reindex", "--backend", "elasticsearch", verbosity=0)

    new = fake_es.calls("PUT", "/test-products-")[0].path.lstrip("/")
    assert fake_es.calls("DELETE", new)  # the half-built index is removed
    assert fake_es.aliases == {"test-products": {OLD_INDEX}}
    assert set(fake_es.indices) == {OLD_INDEX}


def test_reindexing_elasticsearch_needs_it_configured(settings, db):
    settings.ELASTICSEARCH_URL = ""
    with pytest.raises(CommandError, match="ELASTICSEARCH_URL is not set"):
        call_command("search_reindex", "--backend", "elasticsearch", verbosity=0)
