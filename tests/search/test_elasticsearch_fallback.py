"""When Elasticsearch cannot answer (an error status, a timeout, nobody listening, an
answer that is not what a search returns) the storefront still answers, from the
database backend, and a warning says why."""

import logging
import socket
import time

import pytest

from tests.factories import ProductFactory

from .fake_elasticsearch import search_response
from .helpers import titles

pytestmark = pytest.mark.django_db

YAMS = ["山药段", "菏泽铁棍山药", "铁棍山药礼盒"]


@pytest.fixture
def yams(storefront, shops, categories):
    return [ProductFactory(shop=shops["shan"], category=categories["tubers"], title=t) for t in YAMS]


def fallback_warnings(caplog) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "search.selectors" and r.levelno == logging.WARNING and "falling back" in r.getMessage()
    ]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize(
    "status, error_type, requests_sent",
    [
        (400, "search_phase_execution_exception", 1),
        (500, "null_pointer_exception", 1),
        # 503 is retried once by the client (another node may answer), then given up.
        (503, "cluster_block_exception", 2),
    ],
)
def test_an_error_status_falls_back_to_the_database(client, fake_es, yams, caplog, status, error_type, requests_sent):
    for _ in range(requests_sent):
        fake_es.fail_next(status, error_type, "simulated", path="/_search")

    response = client.get("/search/", {"q": "山药"})

    assert sorted(titles(response)) == sorted(YAMS)
    assert response.context["results"].backend == "database"
    assert len(fake_es.searches()) == requests_sent
    (warning,) = fallback_warnings(caplog)
    assert f"ApiError({status}, '{error_type}'" in warning or f"Error({status}, '{error_type}'" in warning


def test_a_timeout_falls_back_quickly(client, fake_es, yams, caplog, settings):
    settings.ELASTICSEARCH_TIMEOUT = 0.3
    fake_es.delays.append(3.0)

    started = time.monotonic()
    response = client.get("/search/", {"q": "山药"})
    elapsed = time.monotonic() - started

    assert sorted(titles(response)) == sorted(YAMS)
    assert elapsed < 2.5  # did not wait for the 3 s answer; a timeout is not retried
    assert len(fake_es.searches()) == 1
    (warning,) = fallback_warnings(caplog)
    assert "timed out" in warning


def test_nobody_listening_falls_back(client, settings, yams, caplog):
    settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{free_port()}"
    settings.ELASTICSEARCH_INDEX_PREFIX = "test"

    response = client.get("/search/", {"q": "山药"})

    assert sorted(titles(response)) == sorted(YAMS)
    (warning,) = fallback_warnings(caplog)
    assert "unreachable" in warning


def test_an_answer_without_aggregations_falls_back(client, fake_es, yams, caplog):
    fake_es.queue_search(search_response([{"product_id": yams[0].pk, "title": yams[0].title}]))

    response = client.get("/search/", {"q": "山药"})

    assert sorted(titles(response)) == sorted(YAMS)
    (warning,) = fallback_warnings(caplog)
    assert "unexpected response" in warning


def test_an_index_that_is_gone_falls_back(client, fake_es, yams, caplog):
    fake_es.indices.clear()
    fake_es.aliases.clear()

    response = client.get("/search/", {"q": "山药"})

    assert sorted(titles(response)) == sorted(YAMS)
    (warning,) = fallback_warnings(caplog)
    assert "index_not_found_exception" in warning


def test_pages_past_the_result_window_are_answered_by_the_database(client, fake_es, yams, caplog, settings):
    from search.selectors import search_products

    results = search_products("山药", page=500, page_size=24)

    # 3 matches: the last page is page 1. Elasticsearch was never asked for page 500.
    assert results.page.number == 1 and results.count == 3
    assert "10000-result window" in fallback_warnings(caplog)[0]


def test_suggestions_fall_back_too(client, fake_es, yams, caplog):
    fake_es.fail_next(400, "search_phase_execution_exception", "simulated", path="/_search")

    body = client.get("/search/suggest/", {"q": "铁棍"}).json()

    # The database's answer: titles first, then 铁棍 in the description (the factory's).
    assert sorted(body["suggestions"][:2]) == ["菏泽铁棍山药", "铁棍山药礼盒"] and body["suggestions"][2:] == ["山药段"]
    (warning,) = [r.getMessage() for r in caplog.records if "suggest failed" in r.getMessage()]
    assert "search_phase_execution_exception" in warning
