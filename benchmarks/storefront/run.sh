#!/usr/bin/env bash
# The storefront benchmark of the issue "storefront speed", three runs per mode:
# ../shared/bench/storefront/run.sh (gunicorn, 2 sync workers, production settings,
# PostgreSQL, wrk; "x floor" = a page's req/s / a trivial view's in the same process),
# with the page cache on (PAGE_CACHE=1, the harness's Redis) and off (PAGE_CACHE=0; the
# kept fragments stay on, as for a signed-in buyer in production); MODES=bare also turns
# the fragments off (PAGE_CACHE=0 FRAGMENT_CACHE=0: every card and product page rendered).
# The first run loads the data (load_demo --seed 1 --products N), the others reuse it.
# Each run's summary and the machine's load before it go to benchmarks/results/storefront/;
# then the medians are printed and written next to them.
#   bash benchmarks/storefront/run.sh 10000          # RUNS=3 MODES="on off"
# Run it with nothing else busy; it benchmarks the committed HEAD.
set -euo pipefail
N=${1:-10000}; RUNS=${RUNS:-3}; MODES=${MODES:-"on off"}
ROOT=$(git rev-parse --show-toplevel)
source "$ROOT/scripts/lib.sh"
ensure_system_packages wrk
HARNESS=${HARNESS:-$ROOT/../shared/bench/storefront/run.sh}
OUT=$ROOT/benchmarks/results/storefront; mkdir -p "$OUT"
BENCH=${STOREFRONT_BENCH_DIR:-/tmp/storefront-bench}
skip=${SKIP_LOAD:-0}
for mode in $MODES; do
  flag=$([ "$mode" = on ] && echo 1 || echo 0)
  fragments=$([ "$mode" = bare ] && echo 0 || echo 1)
  for i in $(seq "$RUNS"); do
    name=n$N-cache-$mode-run$i
    before="load average before: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min); $(nproc) cores"
    echo "== $name: $before"
    PAGE_CACHE=$flag FRAGMENT_CACHE=$fragments SKIP_LOAD=$skip bash "$HARNESS" "$N"
    skip=1
    result=$(ls -td "$BENCH"/results/n"$N"-* | head -1)
    { echo "$before"; echo "PAGE_CACHE=$flag FRAGMENT_CACHE=$fragments"; cat "$result/env.txt"; echo; cat "$result/summary.txt"; } > "$OUT/$name.txt"
    cp "$result/summary.json" "$OUT/$name.json"
  done
done
"$ROOT/.venv/bin/python" "$ROOT/benchmarks/storefront/medians.py" "$OUT" "$N" | tee "$OUT/n$N-medians.txt"
