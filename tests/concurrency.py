"""Running functions at the same instant in threads, each with its own database
connection: the races the PostgreSQL-only tests need."""

import threading

from django.db import connections


def race(functions, timeout: float = 120) -> list[tuple[str, object]]:
    """Start every function at once (a barrier); return ("ok", value) or ("error", exc) each."""
    barrier = threading.Barrier(len(functions))
    results: list = [None] * len(functions)

    def run(i, fn):
        try:
            barrier.wait()
            results[i] = ("ok", fn())
        except Exception as exc:  # collected and asserted by the test
            results[i] = ("error", exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(functions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    return results
