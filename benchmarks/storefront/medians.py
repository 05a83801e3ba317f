"""Medians of the storefront benchmark's runs (benchmarks/storefront/run.sh): per page and
cache mode, the median x floor, p50 and SQL of the runs in benchmarks/results/storefront/.
    python benchmarks/storefront/medians.py benchmarks/results/storefront 10000"""

import json
import statistics
import sys
from pathlib import Path


def main(folder: str, n: str) -> None:
    for mode in ("on", "off", "bare"):
        runs = sorted(Path(folder).glob(f"n{n}-cache-{mode}-run*.json"))
        if not runs:
            continue
        rows = [json.loads(p.read_text()) for p in runs]
        print(f"N={n}, page cache {mode}{' (fragments off too)' if mode == 'bare' else ''}: median of {len(rows)} runs")
        print(f"{'page':<10} {'x floor':>8} {'p50 ms':>8} {'SQL':>4}  x floor of each run")
        for row in rows[0]:
            page = row["page"]
            same = [next(r for r in run if r["page"] == page) for run in rows]
            ratios = [r["ratio"] for r in same]
            print(
                f"{page:<10} {statistics.median(ratios):>8.3f} {statistics.median(r['p50'] for r in same):>8.2f} "
                f"{max(r['sql'] for r in same):>4}  " + " ".join(f"{x:.3f}" for x in ratios)
            )
        print()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
