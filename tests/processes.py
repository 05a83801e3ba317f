"""Outside processes the worker and fault tests start and stop themselves: a Celery worker
on the test database (``celery -A marketplace worker``), a redis-server of the test's own
on a free port, and the Celery app the test process sends through."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from celery import Celery
from celery import current_app as current_celery_app
from django.conf import settings
from django.db import connection

from tests.conftest import require_service

WAIT_SECONDS = 60


def worker_database_url() -> str:
    """DATABASE_URL of the database this test runs on (the test database)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        assert not connection.is_in_memory_db(), "a worker process cannot share an in-memory database"
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    assert connection.vendor == "postgresql", f"no worker test for {connection.vendor}"
    auth = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"], safe="")
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{auth}@{db['HOST']}{port}/{quote(db['NAME'], safe='')}"


def wait_for(done: Callable[[], bool], what: str, *, seconds: float = WAIT_SECONDS, alive=None) -> None:
    """Poll ``done`` until true; fail after ``seconds`` or when the process ``alive`` exits."""
    deadline = time.monotonic() + seconds
    while not done():
        if alive is not None and alive.poll() is not None:
            pytest.fail(f"the process exited with {alive.returncode} before {what}")
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} within {seconds} s")
        time.sleep(0.2)


@dataclass
class RunningWorker:
    process: subprocess.Popen
    log_path: Path

    def wait_until(self, done: Callable[[], bool], what: str, *, seconds: float = WAIT_SECONDS) -> None:
        wait_for(done, what, alive=self.process, seconds=seconds)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes at once: no shutdown, no
        acknowledgement, as when the machine loses them."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def pool_processes(self) -> list[int]:
        """Pids of the prefork pool's child processes."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def start_celery_worker(
    *, broker_url: str, queue: str, log_path: Path, env: dict | None = None, pool: str = "solo"
) -> RunningWorker:
    """``celery -A marketplace worker`` (one process of ``pool``) with the development
    settings, on the test database and media root, consuming ``queue`` only; in a process
    group of its own.

    The solo pool runs a task inside the worker's event loop, where an early
    acknowledgement is sent only after the task returns; the prefork pool, as in
    production, acknowledges before its child process runs the task."""
    full_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "marketplace.settings.dev",
        "CELERY_BROKER_URL": broker_url,
        "CELERY_RESULT_BACKEND": broker_url,
        "DATABASE_URL": worker_database_url(),
        "DATABASE_CONN_MAX_AGE": "0",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        **(env or {}),
    }
    command = [sys.executable, "-m", "celery", "-A", "marketplace", "worker", f"--pool={pool}", "--concurrency=1"]
    command += ["--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel=INFO"]
    command += [f"--queues={queue}", f"--hostname={queue}-{time.monotonic_ns()}@%h"]
    with log_path.open("a") as log:
        process = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=full_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    return RunningWorker(process=process, log_path=log_path)


@contextlib.contextmanager
def sending_app(broker_url: str, queue: str, django_settings) -> Iterator[Celery]:
    """Our own sending app, made current so that shared tasks (ours and the django-tasks
    bridge) are published through Redis onto ``queue``; the test settings' eager mode is
    switched off for the CeleryTaskBackend. Deletes the queue's keys afterwards."""
    app = Celery("marketplace-test-sender", broker=broker_url, backend=broker_url, set_as_current=False)
    app.conf.task_default_queue = queue
    previous_app = current_celery_app._get_current_object()
    app.set_current()
    django_settings.CELERY_TASK_ALWAYS_EAGER = False
    try:
        yield app
    finally:
        previous_app.set_current()
        app.close()
        with contextlib.suppress(redis.RedisError):
            client = redis.Redis.from_url(broker_url, socket_connect_timeout=2)
            for key in client.scan_iter(match=f"*{queue}*"):  # the queue and its bindings
                client.delete(key)
            client.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class RedisServer:
    """A redis-server of the test's own on a free loopback port, without persistence."""

    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self.answering, f"redis-server on port {self.port}", seconds=20, alive=self.process)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        self.process = None

    def answering(self) -> bool:
        try:
            return bool(redis.Redis(port=self.port, socket_connect_timeout=1).ping())
        except redis.RedisError:
            return False

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_connect_timeout=2)


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    require_service(bool(shutil.which("redis-server")), "redis-server is missing: apt-get install redis-server")
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
