"""A local stand-in for Elasticsearch's HTTP API, for tests only.

A small ``http.server`` on 127.0.0.1 in a thread that answers the handful of endpoints the
marketplace calls, in Elasticsearch 8's wire format: JSON and NDJSON bodies, the
``X-Elastic-Product: Elasticsearch`` header the 8.x client insists on, and error bodies
shaped like Elasticsearch's (``{"error": {"root_cause": [...], "type": ..., "reason":
...}, "status": ...}``). The real ``elasticsearch`` client talks to it, so the requests
the marketplace builds are exactly the ones a cluster would get.

It records every request (method, path, query parameters, headers, decoded body) so tests
can assert exact bodies. It keeps indices (settings, mappings, documents) and aliases as
Elasticsearch would for create / delete / bulk / refresh / alias calls, refusing what
Elasticsearch refuses there: a field a ``dynamic: strict`` mapping does not declare, a
write through ``require_alias`` to a name that is not an alias, an alias action on an
index that does not exist.

It does NOT evaluate queries. ``_search`` answers with the responses a test queued
(``queue_search``), built with ``search_response`` from documents the test chose, and
with an error when nothing is queued, so no test can pass on an answer it did not set
up. Failures (an HTTP status with an Elasticsearch error body, for the next request to a
path) and delays (for timeouts) can be queued."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl, unquote, urlsplit

from tests.fake_http import LocalFakeServer

VERSION = "8.19.3"


@dataclass
class RecordedRequest:
    method: str
    path: str
    params: dict
    headers: dict
    body: object  # dict for JSON, list of dicts for NDJSON, None without a body


def es_error(status: int, type_: str, reason: str, **extra) -> tuple[int, dict]:
    cause = {"type": type_, "reason": reason, **extra}
    return status, {"error": {"root_cause": [cause], **cause}, "status": status}


@dataclass
class FakeElasticsearch:
    url: str = ""
    requests: list[RecordedRequest] = field(default_factory=list)
    indices: dict[str, dict] = field(default_factory=dict)  # name -> {"settings", "mappings", "docs"}
    aliases: dict[str, set[str]] = field(default_factory=dict)  # alias -> index names
    search_answers: list[tuple[int, dict]] = field(default_factory=list)
    # (path part, status, body): the next request whose path contains the part fails so
    failures: list[tuple[str, int, dict]] = field(default_factory=list)
    delays: list[float] = field(default_factory=list)  # next requests wait this long first
    lock: threading.Lock = field(default_factory=threading.Lock)

    # -- helpers for tests ----------------------------------------------------------
    def calls(self, method: str, path_part: str = "") -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == method and path_part in r.path]

    def searches(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.endswith("/_search")]

    def bulks(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.endswith("/_bulk")]

    def queue_search(self, response: dict, status: int = 200) -> None:
        self.search_answers.append((status, response))

    def fail_next(self, status: int, type_: str, reason: str, *, path: str = "") -> None:
        """The next request (whose path contains ``path``) gets this Elasticsearch error."""
        self.failures.append((path, *es_error(status, type_, reason)))

    def _failure_for(self, path: str) -> tuple[int, dict] | None:
        for i, (part, status, body) in enumerate(self.failures):
            if part in path:
                del self.failures[i]
                return status, body
        return None

    def documents(self, target: str) -> dict[str, dict]:
        """The documents of an index or of the index an alias points to."""
        docs: dict[str, dict] = {}
        for index in self._resolve(target):
            docs.update(self.indices[index]["docs"])
        return docs

    def make_index(self, name: str, alias: str | None = None, *, mappings: dict | None = None, docs=None) -> None:
        """An existing index (as a previous search_reindex would have left it)."""
        self.indices[name] = {"settings": {}, "mappings": mappings or {}, "docs": dict(docs or {})}
        if alias:
            self.aliases.setdefault(alias, set()).add(name)

    # -- the model ------------------------------------------------------------------
    def _resolve(self, target: str) -> list[str]:
        if target in self.aliases:
            return sorted(self.aliases[target])
        return [target] if target in self.indices else []

    def handle(self, method: str, path: str, params: dict, body) -> tuple[int, dict]:
        parts = [unquote(p) for p in path.strip("/").split("/") if p]
        if method in ("GET", "HEAD") and not parts:
            return 200, {
                "name": "fake",
                "cluster_name": "local-test",
                "version": {"number": VERSION, "build_flavor": "default"},
                "tagline": "You Know, for Search",
            }
        if method in ("POST", "PUT") and parts == ["_bulk"]:
            return self.bulk(body, require_alias=params.get("require_alias") == "true")
        if method in ("POST", "PUT") and parts == ["_aliases"]:
            return self.update_aliases(body)
        if method == "GET" and len(parts) == 2 and parts[0] == "_alias":
            found = {index: {"aliases": {parts[1]: {}}} for index in sorted(self.aliases.get(parts[1], ()))}
            if not found:
                return 404, {"error": f"alias [{parts[1]}] missing", "status": 404}
            return 200, found
        if len(parts) == 2 and parts[1] == "_search" and method in ("GET", "POST"):
            if not self._resolve(parts[0]):
                return es_error(404, "index_not_found_exception", f"no such index [{parts[0]}]", index=parts[0])
            if not self.search_answers:
                return es_error(500, "fake_not_set_up", "the test queued no answer for this search")
            return self.search_answers.pop(0)
        if len(parts) == 2 and parts[1] == "_refresh" and method in ("GET", "POST"):
            if not self._resolve(parts[0]):
                return es_error(404, "index_not_found_exception", f"no such index [{parts[0]}]", index=parts[0])
            return 200, {"_shards": {"total": 1, "successful": 1, "failed": 0}}
        if len(parts) == 1 and method == "PUT":
            return self.create_index(parts[0], body or {})
        if len(parts) == 1 and method == "DELETE":
            names = parts[0].split(",")
            missing = [n for n in names if n not in self.indices]
            if missing:
                return es_error(404, "index_not_found_exception", f"no such index [{missing[0]}]", index=missing[0])
            for name in names:
                del self.indices[name]
                for members in self.aliases.values():
                    members.discard(name)
            self.aliases = {a: m for a, m in self.aliases.items() if m}
            return 200, {"acknowledged": True}
        return es_error(400, "fake_unsupported", f"the fake does not model {method} {path}")

    def create_index(self, name: str, body: dict) -> tuple[int, dict]:
        if name in self.indices or name in self.aliases:
            return es_error(400, "resource_already_exists_exception", f"index [{name}] already exists", index=name)
        if name != name.lower() or name.startswith(("_", "-", "+")):
            return es_error(400, "invalid_index_name_exception", f"Invalid index name [{name}]", index=name)
        self.indices[name] = {"settings": body.get("settings", {}), "mappings": body.get("mappings", {}), "docs": {}}
        return 200, {"acknowledged": True, "shards_acknowledged": True, "index": name}

    def _write_target(self, name: str, require_alias: bool) -> tuple[str | None, dict | None]:
        if name in self.aliases:
            members = sorted(self.aliases[name])
            if len(members) != 1:
                return None, {"type": "illegal_argument_exception", "reason": f"alias [{name}] has no write index"}
            return members[0], None
        if require_alias:
            return None, {
                "type": "index_not_found_exception",
                "reason": f"no such index [{name}] and [require_alias] request flag is [true]"
                f" and [{name}] is not an alias",
                "index": name,
            }
        if name not in self.indices:  # Elasticsearch creates it, guessing the mappings
            self.indices[name] = {"settings": {}, "mappings": {}, "docs": {}, "auto_created": True}
        return name, None

    def bulk(self, lines: list[dict], *, require_alias: bool) -> tuple[int, dict]:
        items = []
        i = 0
        while i < len(lines):
            action, meta = next(iter(lines[i].items()))
            source = lines[i + 1] if action in ("index", "create") else None
            i += 2 if source is not None else 1
            doc_id = meta["_id"]
            index, error = self._write_target(meta["_index"], require_alias)
            if error is not None:
                items.append({action: {"_index": meta["_index"], "_id": doc_id, "status": 404, "error": error}})
                continue
            docs = self.indices[index]["docs"]
            mapping = self.indices[index]["mappings"]
            if source is not None:
                unknown = sorted(set(source) - set(mapping.get("properties", {})))
                if mapping.get("dynamic") == "strict" and unknown:
                    error = {
                        "type": "strict_dynamic_mapping_exception",
                        "reason": f"[1:2] mapping set to strict, dynamic introduction of [{unknown[0]}] "
                        "within [_doc] is not allowed",
                    }
                    items.append({action: {"_index": index, "_id": doc_id, "status": 400, "error": error}})
                    continue
                result, status = ("updated", 200) if doc_id in docs else ("created", 201)
                docs[doc_id] = source
            elif doc_id in docs:
                del docs[doc_id]
                result, status = "deleted", 200
            else:
                result, status = "not_found", 404
            items.append({action: {"_index": index, "_id": doc_id, "result": result, "status": status}})
        errors = any("error" in item[next(iter(item))] for item in items)
        return 200, {"took": 3, "errors": errors, "items": items}

    def update_aliases(self, body: dict) -> tuple[int, dict]:
        actions = body.get("actions", [])
        for entry in actions:  # all or nothing, as Elasticsearch applies them
            ((kind, spec),) = entry.items()
            if spec["index"] not in self.indices:
                return es_error(404, "index_not_found_exception", f"no such index [{spec['index']}]")
            if kind == "remove" and spec["index"] not in self.aliases.get(spec["alias"], ()):
                return es_error(404, "aliases_not_found_exception", f"aliases [{spec['alias']}] missing")
            if kind == "add" and spec["alias"] in self.indices:
                return es_error(
                    400,
                    "invalid_alias_name_exception",
                    f"Invalid alias name [{spec['alias']}]: an index or data stream exists with the same name",
                )
        for entry in actions:
            ((kind, spec),) = entry.items()
            if kind == "add":
                self.aliases.setdefault(spec["alias"], set()).add(spec["index"])
            else:
                self.aliases[spec["alias"]].discard(spec["index"])
        self.aliases = {a: m for a, m in self.aliases.items() if m}
        return 200, {"acknowledged": True, "errors": False}


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeElasticsearch/1"
    protocol_version = "HTTP/1.1"  # keep-alive, as the client's connection pool expects

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def _serve(self, method: str) -> None:
        fake: FakeElasticsearch = self.server.fake  # type: ignore[attr-defined]
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode() if length else ""
        if parts.path.endswith("/_bulk"):
            body = [json.loads(line) for line in raw.splitlines() if line.strip()]
        else:
            body = json.loads(raw) if raw else None
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        headers = {k.lower(): v for k, v in self.headers.items()}
        with fake.lock:
            fake.requests.append(RecordedRequest(method, parts.path, params, headers, body))
            delay = fake.delays.pop(0) if fake.delays else 0.0
            failure = fake._failure_for(parts.path)
            if failure is not None:
                status, answer = failure
            else:
                status, answer = fake.handle(method, parts.path, params, body)
        if delay:
            time.sleep(delay)
        payload = b"" if method == "HEAD" else json.dumps(answer, ensure_ascii=False).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/vnd.elasticsearch+json;compatible-with=8")
            self.send_header("X-Elastic-Product", "Elasticsearch")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
            pass

    def do_GET(self) -> None:
        self._serve("GET")

    def do_HEAD(self) -> None:
        self._serve("HEAD")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_DELETE(self) -> None:
        self._serve("DELETE")


class FakeElasticsearchServer(LocalFakeServer[FakeElasticsearch]):
    """``with FakeElasticsearchServer() as fake: ...``; ``fake.url`` is the address."""

    def __init__(self):
        super().__init__(FakeElasticsearch(), _Handler, thread_name="fake-elasticsearch")


# -- Elasticsearch-shaped answers, built by tests from documents they chose ---------------


def search_response(
    sources: list[dict],
    *,
    total: int | None = None,
    aggregations: dict | None = None,
    highlights: dict[str, list[str]] | None = None,
    took: int = 4,
) -> dict:
    """A ``_search`` answer listing these documents (``_source`` as stored, ``title`` only,
    as the backend asks) with their highlight fragments and the aggregations given."""
    hits = []
    for i, source in enumerate(sources):
        doc_id = str(source["product_id"])
        hit = {"_index": "marketplace-products-20260101000000000000", "_id": doc_id, "_score": None}
        hit["_source"] = {"title": source["title"]}
        hit["sort"] = [len(sources) - i]
        if highlights and doc_id in highlights:
            hit["highlight"] = {"title": highlights[doc_id]}
        hits.append(hit)
    body = {
        "took": took,
        "timed_out": False,
        "_shards": {"total": 1, "successful": 1, "skipped": 0, "failed": 0},
        "hits": {
            "total": {"value": len(sources) if total is None else total, "relation": "eq"},
            "max_score": None,
            "hits": hits,
        },
    }
    if aggregations is not None:
        body["aggregations"] = aggregations
    return body


def terms_buckets(counts: dict) -> dict:
    """A terms aggregation result: buckets by count, descending, as Elasticsearch orders them."""
    buckets = []
    for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0]))):
        bucket = {"key": key, "doc_count": n}
        if isinstance(key, bool):  # boolean fields: key 1/0 plus key_as_string
            bucket = {"key": int(key), "key_as_string": "true" if key else "false", "doc_count": n}
        buckets.append(bucket)
    return {"doc_count_error_upper_bound": 0, "sum_other_doc_count": 0, "buckets": buckets}


def range_buckets(ranges: list[tuple[str, int | None, int | None, int]]) -> dict:
    """A range aggregation result (``keyed: false``): (key, from, to, count) each."""
    buckets = []
    for key, low, high, n in ranges:
        bucket: dict = {"key": key}
        if low is not None:
            bucket["from"] = float(low)
        if high is not None:
            bucket["to"] = float(high)
        bucket["doc_count"] = n
        buckets.append(bucket)
    return {"buckets": buckets}
