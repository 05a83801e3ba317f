"""Running functions at the same instant in threads, each with its own database
connection: the races the PostgreSQL-only tests need."""

import threading

from celery._state import _set_task_join_will_block, task_join_will_block
from django.db import connections


def race(functions, timeout: float = 120) -> list[tuple[str, object]]:
    """Start every function at once (a barrier); return ("ok", value) or ("error", exc) each.

    Fails when a thread is still running after ``timeout`` seconds (a deadlock or a hang)."""
    barrier = threading.Barrier(len(functions))
    results: list = [None] * len(functions)
    # Celery keeps "are we inside a task?" in one process-wide flag, which every eager
    # apply_async sets and then puts back. Threads running eager tasks at once interleave
    # those set/put-back pairs and can leave it set, after which any later
    # AsyncResult.get() in this process raises "Never call result.get() within a task!".
    # This process is not a worker: put the flag back as it was once the race is over.
    joins_blocked = task_join_will_block()

    def run(i, fn):
        try:
            barrier.wait(timeout=30)
            results[i] = ("ok", fn())
        except Exception as exc:  # collected and asserted by the test
            results[i] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(functions)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout)
    finally:
        _set_task_join_will_block(joins_blocked)
    hung = sum(t.is_alive() for t in threads)
    assert not hung, f"{hung} of {len(threads)} threads still running after {timeout} s (deadlock?)"
    return results
