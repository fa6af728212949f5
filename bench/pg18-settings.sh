#!/usr/bin/env bash
# bench/pg18-settings.sh — what makes PostgreSQL 18 (the embedded server's binaries) spend more CPU
# per keydir claim than Debian's PostgreSQL 15: keydir on external servers, alternated, each case on
# a fresh cluster, claims right after an upload phase:
#   pg18              the embedded server's binaries, initdb defaults (data checksums on, io_method=worker)
#   pg18-io-sync      the same, io_method=sync
#   pg18-no-checksums initdb --no-data-checksums
#   pg15              Debian's PostgreSQL 15 (no checksums: Debian's initdb default)
# Prints claims/s and PostgreSQL / keydir CPU per claim per case (medians). Raw output:
# bench/results/pg18-settings-<date>/. Run ./keydir serve once first (it unpacks the binaries).
# Knobs: ROUNDS (2) LEVELS (1,16: the 1-client level warms both JVMs' claim paths) DURATION (6s) DEVICES (64)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-2}; LEVELS=${LEVELS:-1,16}; DURATION=${DURATION:-6s}; DEVICES=${DEVICES:-64}
PG15=/usr/lib/postgresql/15/bin; PGPORT=55439; KPORT=18119
PG18_SRC=$(ls -d "${KEYDIR_EMBEDDED_BINARIES:-$HOME/.cache/keydir/embedded-pg}"/PG-*/ | head -1)
JAR=$PWD/server/target/keydir.jar; BENCH_JAR=$PWD/tools/target/keydir-tools.jar; mvn -B -q -DskipTests package
WORK=$(mktemp -d /tmp/keydir-pg18.XXXXXX); chmod 755 "$WORK"
RUN_AS=(); [ "$(id -u)" = 0 ] && RUN_AS=(runuser -u postgres --)
cp -a "$PG18_SRC" "$WORK/bin18"; chmod -R a+rX "$WORK/bin18"
TOKEN=pg18-admin-token-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n'); KEK=$(head -c32 /dev/urandom | base64)
OUT=$PWD/bench/results/pg18-settings-$(date +%Y-%m-%d_%H%M); mkdir -p "$OUT"
echo "commit $(git rev-parse --short HEAD)$(git diff --quiet || echo ' + working tree'); $(nproc) cores; $("$WORK/bin18/bin/postgres" --version)" | tee "$OUT/machine.txt"
KPID=; BIN=
trap 'stop_case; rm -rf "$WORK"' EXIT
. bench/keydir-case.sh

run_case() {  # run_case <case> <round>
  local case=$1 name=$1-$2 initdb_args=() settings=""
  stop_case; rm -rf "$WORK/pg" "$WORK/data"
  case $case in
    pg15) BIN=$PG15 ;;
    pg18) BIN=$WORK/bin18/bin ;;
    pg18-io-sync) BIN=$WORK/bin18/bin; settings="-c io_method=sync" ;;
    pg18-no-checksums) BIN=$WORK/bin18/bin; initdb_args=(--no-data-checksums) ;;
  esac
  start_cluster "$BIN" "$settings" "${initdb_args[@]}"
  "${RUN_AS[@]}" "$PG15/psql" -X -q -h 127.0.0.1 -p $PGPORT -U postgres -d postgres \
    -c "CREATE DATABASE keydir" -Atc "SHOW data_checksums" > "$OUT/$name.settings"
  start_keydir "$name" "postgresql://postgres@127.0.0.1:$PGPORT/keydir"
  bench_keydir "$name" upload,claim "$(head -1 "$WORK/pg/postmaster.pid")"
}

CASES=(pg18 pg18-io-sync pg18-no-checksums pg15)
for round in $(seq 1 "$ROUNDS"); do
  for case in "${CASES[@]}"; do run_case "$case" "$round"; done
done

python3 - "$OUT" "$ROUNDS" "${CASES[@]}" <<'PY' | tee "$OUT/summary.md"
import json, os, statistics, sys
out, rounds, cases = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
def claims(name):
    with open(os.path.join(out, name, "results.json")) as f:
        return [l for l in json.load(f)["levels"] if l["phase"] == "claim"]
print(f"claims right after an upload phase; medians of {rounds} alternated rounds\n")
print("| case | clients | claims/s | PostgreSQL CPU ms/claim | keydir CPU ms/claim | claims/s vs pg18 |")
print("|---|---:|---:|---:|---:|---:|")
runs = {c: [claims(f"{c}-{r}") for r in range(1, rounds + 1)] for c in cases}
for i, level in enumerate(runs[cases[0]][0]):
    base = statistics.median(run[i]["requests_per_s"] for run in runs["pg18"])
    for c in cases:
        ls = [run[i] for run in runs[c]]
        rate = statistics.median(l["requests_per_s"] for l in ls)
        pg = statistics.median(l["server"]["cpu_ms"]["postgres"] / l["requests"] for l in ls)
        kd = statistics.median(l["server"]["cpu_ms"]["keydir"] / l["requests"] for l in ls)
        print(f"| {c} | {level['concurrency']} | {rate:.0f} | {pg:.3f} | {kd:.3f} | {100 * rate / base:.0f} % |")
PY
