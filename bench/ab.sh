#!/usr/bin/env bash
# bench/ab.sh <git ref> — before/after: keydir built at <ref> (A) against the working tree (B),
# alternated A B A B … on one PostgreSQL 15 (fsync on), each run on a fresh database, so both see
# the same machine state (this VM's speed drifts between runs minutes apart). Prints, per phase and
# level, both medians and the B/A ratio; raw bench output lands in bench/results/ab-<date>/.
# Knobs (environment): ROUNDS (3) PHASES (claim,claim-bulk) LEVELS (16) DURATION (4s) DEVICES (256)
# EMBEDDED (0; 1: each keydir on its own embedded PostgreSQL, the default path, instead of the PostgreSQL 15)
# A_ENV, B_ENV: extra environment for A's or B's keydir only, e.g. to compare two settings of one build:
#   A_ENV="KEYDIR_DATABASE_PIPELINED_CONNECTIONS=0" bench/ab.sh HEAD
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
REF=${1:?usage: bench/ab.sh <git ref of the "before" build>}
ROUNDS=${ROUNDS:-3}
PHASES=${PHASES:-claim,claim-bulk}
LEVELS=${LEVELS:-16}
DURATION=${DURATION:-4s}
DEVICES=${DEVICES:-256}
PGPORT=${PGPORT:-55433}
KEYDIR_PORT=18109
PGBIN=/usr/lib/postgresql/15/bin
ADMIN_TOKEN=ab-admin-token-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
KEK=$(head -c32 /dev/urandom | base64)
OUT=$ROOT/bench/results/ab-$(date +%Y-%m-%d_%H%M)
WORK=$(mktemp -d /tmp/keydir-ab.XXXXXX)
chmod 755 "$WORK"
mkdir -p "$OUT"
RUN_AS=(); [ "$(id -u)" = 0 ] && RUN_AS=(runuser -u postgres --)
cleanup() {
  [ -n "${KEYDIR_PID:-}" ] && kill "$KEYDIR_PID" 2>/dev/null || true
  "${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$WORK/pg" -m fast stop >/dev/null 2>&1 || true
  git worktree remove --force "$WORK/before" >/dev/null 2>&1 || true
}
trap cleanup EXIT

echo "== building A ($REF) and B (working tree)"
git worktree add --detach "$WORK/before" "$REF" >/dev/null
(cd "$WORK/before" && mvn -B -q -DskipTests package)
(cd "$ROOT" && mvn -B -q -DskipTests package)
# A may predate the server/ + tools/ split (its jar then in target/, with `bench` inside)
if [ -f "$WORK/before/server/target/keydir.jar" ]; then cp "$WORK/before/server/target/keydir.jar" "$WORK/A.jar"
else cp "$WORK/before/target/keydir.jar" "$WORK/A.jar"; fi
cp "$ROOT/server/target/keydir.jar" "$WORK/B.jar"
cp "$ROOT/tools/target/keydir-tools.jar" "$WORK/bench.jar"   # one load generator for both
{ echo "A: $(git rev-parse --short "$REF") ${A_ENV:-}"; echo "B: $(git rev-parse --short HEAD) + working tree ${B_ENV:-}"
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"; } | tee "$OUT/builds.txt"

mkdir -p "$WORK/pg" "$WORK/sock"; [ -n "${RUN_AS[*]}" ] && chown postgres "$WORK/pg" "$WORK/sock"
"${RUN_AS[@]}" "$PGBIN/initdb" -D "$WORK/pg" -A trust -U postgres >/dev/null
"${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$WORK/pg" -l "$WORK/pg/server.log" -w \
  -o "-p $PGPORT -k $WORK/sock -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on -c max_connections=200" start >/dev/null
PG_PID=$(head -1 "$WORK/pg/postmaster.pid")
psql() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres "$@"; }

for round in $(seq 1 "$ROUNDS"); do
  for build in A B; do
    name=$build-$round
    psql -c "DROP DATABASE IF EXISTS ab" -c "CREATE DATABASE ab"
    db_url="postgresql://postgres@127.0.0.1:$PGPORT/ab"; [ "${EMBEDDED:-0}" = 1 ] && db_url=
    KEYDIR_DATA_DIR=$WORK/kd-$name KEYDIR_DATABASE_URL="$db_url" \
      KEYDIR_LISTEN_PORT=$KEYDIR_PORT KEYDIR_ADMIN_TOKEN=$ADMIN_TOKEN KEYDIR_RATE_LIMIT_ENABLED=false \
      KEYDIR_KEY_ENCRYPTION_KEY=$KEK env $(eval echo "\${${build}_ENV:-}") java -jar "$WORK/$build.jar" serve > "$WORK/keydir-$name.log" 2>&1 &
    KEYDIR_PID=$!
    for _ in $(seq 1 600); do curl -sf "localhost:$KEYDIR_PORT/ready" >/dev/null && break; sleep 0.05; done
    pg_pid=$PG_PID; [ "${EMBEDDED:-0}" = 1 ] && pg_pid=$(head -1 "$WORK/kd-$name/postgres/postmaster.pid")
    echo "== round $round, $build"
    java -jar "$WORK/bench.jar" --base "http://127.0.0.1:$KEYDIR_PORT" --admin-token "$ADMIN_TOKEN" \
      --devices "$DEVICES" --concurrency "$LEVELS" --duration "$DURATION" --warmup 1s --server-warmup 8s \
      --phases "$PHASES" --server-pid keydir="$KEYDIR_PID" --server-pid postgres="$pg_pid" --out "$OUT/$name" \
      | grep -E '^(phase|[a-z-]+ +c=[0-9]+ +[0-9])' || true
    kill "$KEYDIR_PID"; wait "$KEYDIR_PID" 2>/dev/null || true; KEYDIR_PID=
  done
done

echo "== medians over $ROUNDS rounds (req/s, p99 ms, server CPU ms/req)"
python3 - "$OUT" "$ROUNDS" <<'PY' | tee "$OUT/summary.md"
import json, sys, statistics, os
out, rounds = sys.argv[1], int(sys.argv[2])
def levels(name):
    with open(os.path.join(out, name, "results.json")) as f:
        doc = json.load(f)
    return {(l["phase"], l["concurrency"]): l for l in doc["levels"]}
runs = {b: [levels(f"{b}-{r}") for r in range(1, rounds + 1)] for b in "AB"}
def med(b, key, pick):
    return statistics.median(pick(run[key]) for run in runs[b])
print("| phase | clients | A req/s | B req/s | B/A | A p99 ms | B p99 ms | A server CPU ms/req | B server CPU ms/req |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for key in sorted(runs["A"][0]):
    rate = lambda l: l["requests_per_s"]
    p99 = lambda l: l["latency_ms"]["p99"]
    cpu = lambda l: l["server"]["cpu_ms_per_request"]
    a, b = med("A", key, rate), med("B", key, rate)
    print(f"| {key[0]} | {key[1]} | {a:.0f} | {b:.0f} | ×{b / a:.2f} | {med('A', key, p99):.1f} | "
          f"{med('B', key, p99):.1f} | {med('A', key, cpu):.3f} | {med('B', key, cpu):.3f} |")
PY
