#!/usr/bin/env bash
# bench/checksums.sh — does a data-checksum cluster slow keydir's claims right after uploads?
# (Issue 17: PostgreSQL 18's initdb enables data checksums by default, the embedded server has them,
# Debian's PostgreSQL 15 clusters do not; with checksums, the first reader of freshly written rows
# that sets their hint bits after a checkpoint must WAL-log a full page image.)
# Alternates clusters with and without --data-checksums on Debian's PostgreSQL 15, fsync on, each on a
# fresh cluster: keydir, then `keydir bench --phases upload,claim`; prints claim req/s per run and the
# WAL written during the claim phase. Knobs: ROUNDS (2) DURATION (6s) LEVEL (16) DEVICES (64)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-2}; DURATION=${DURATION:-6s}; LEVEL=${LEVEL:-16}; DEVICES=${DEVICES:-64}
PGBIN=/usr/lib/postgresql/15/bin; PGPORT=55437; KPORT=18117
JAR=$PWD/server/target/keydir.jar; BENCH_JAR=$PWD/tools/target/keydir-tools.jar; [ -f "$JAR" ] || mvn -B -q -DskipTests package
WORK=$(mktemp -d /tmp/keydir-checksums.XXXXXX); chmod 755 "$WORK"
RUN_AS=(); [ "$(id -u)" = 0 ] && RUN_AS=(runuser -u postgres --)
TOKEN=cs-admin-token-0123456789abcdef; KEK=$(head -c32 /dev/urandom | base64)
OUT=$PWD/bench/results/checksums-$(date +%Y-%m-%d_%H%M); mkdir -p "$OUT"
KPID=
cleanup() { [ -n "$KPID" ] && kill "$KPID" 2>/dev/null || true; "${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$WORK/pg" -m fast stop >/dev/null 2>&1 || true; }
trap cleanup EXIT
psql_() { "${RUN_AS[@]}" psql -h 127.0.0.1 -p $PGPORT -U postgres -d keydir -Atc "$1"; }
for round in $(seq 1 "$ROUNDS"); do
  for mode in on off; do
    cleanup; rm -rf "$WORK/pg"; mkdir -p "$WORK/pg"; [ "$(id -u)" = 0 ] && chown postgres "$WORK/pg"
    flag=""; [ $mode = on ] && flag="--data-checksums"
    "${RUN_AS[@]}" "$PGBIN/initdb" -D "$WORK/pg" -U postgres -A trust $flag >/dev/null
    "${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$WORK/pg" -o "-p $PGPORT -k /tmp -c listen_addresses=127.0.0.1" -l "$WORK/pg/server.log" start >/dev/null
    "${RUN_AS[@]}" createdb -h 127.0.0.1 -p $PGPORT -U postgres keydir
    KEYDIR_DATABASE_URL="postgresql://postgres@127.0.0.1:$PGPORT/keydir" KEYDIR_KEY_ENCRYPTION_KEY=$KEK \
      KEYDIR_LISTEN_PORT=$KPORT KEYDIR_ADMIN_TOKEN=$TOKEN KEYDIR_RATE_LIMIT_ENABLED=false KEYDIR_DATA_DIR=$WORK/data \
      java -Xmx512m -jar "$JAR" serve > "$WORK/keydir.log" 2>&1 &
    KPID=$!
    for _ in $(seq 1 600); do curl -sf "localhost:$KPORT/ready" >/dev/null && break; sleep 0.05; done
    java -jar "$BENCH_JAR" --base "http://127.0.0.1:$KPORT" --admin-token $TOKEN --devices $DEVICES \
      --phases upload --concurrency $LEVEL --duration "$DURATION" --quiet --out "$OUT/$mode-$round-upload" >/dev/null
    psql_ "CHECKPOINT" >/dev/null
    lsn0=$(psql_ "SELECT pg_current_wal_lsn()")
    java -jar "$BENCH_JAR" --base "http://127.0.0.1:$KPORT" --admin-token $TOKEN --devices $DEVICES \
      --phases claim --concurrency $LEVEL --duration "$DURATION" --quiet --out "$OUT/$mode-$round-claim" >/dev/null
    wal=$(psql_ "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '$lsn0')")
    rps=$(python3 -c "import json,sys;d=json.load(open('$OUT/$mode-$round-claim/results.json'));print([l['requests_per_s'] for l in d['levels'] if l['phase']=='claim'][0])")
    echo "checksums=$mode round=$round claim_req_per_s=$rps wal_bytes_during_claims=$wal" | tee -a "$OUT/summary.txt"
    kill $KPID; wait $KPID 2>/dev/null || true; KPID=
  done
done
