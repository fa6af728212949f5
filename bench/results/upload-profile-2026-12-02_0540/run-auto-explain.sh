#!/usr/bin/env bash
# ad-hoc: where PostgreSQL's CPU per upload goes (PG15 external, pg_stat_statements, perf)
set -euo pipefail
cd /work/main
PG15=/usr/lib/postgresql/15/bin; PGPORT=55462; KPORT=18142
JAR=${JAR_OVERRIDE:-$PWD/server/target/keydir.jar}; BENCH_JAR=$PWD/tools/target/keydir-tools.jar
WORK=$(mktemp -d /tmp/keydir-up.XXXXXX); chmod 755 "$WORK"
RUN_AS=(runuser -u postgres --)
TOKEN=prof-admin-token-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n'); KEK=$(head -c32 /dev/urandom | base64)
OUT=${OUT:-/tmp/up/out}; mkdir -p "$OUT"
DEVICES=64; LEVELS=${LEVELS:-1}; DURATION=${DURATION:-20s}
KPID=; BIN=$PG15
trap 'stop_case; rm -rf "$WORK"' EXIT
. bench/keydir-case.sh
start_cluster "$BIN" "-c shared_preload_libraries=pg_stat_statements,auto_explain -c auto_explain.log_min_duration=0.9ms -c auto_explain.log_nested_statements=on ${PGSET:-}" ${INITDB:-}
P() { "${RUN_AS[@]}" "$PG15/psql" -X -q -h 127.0.0.1 -p $PGPORT -U postgres "$@"; }
P -d postgres -c "CREATE DATABASE keydir"
P -d postgres -Atc "SELECT datname, datcollate, datctype FROM pg_database WHERE datname='keydir'"
P -d keydir -c "CREATE EXTENSION pg_stat_statements"
start_keydir up "postgresql://postgres@127.0.0.1:$PGPORT/keydir"
java -jar "$BENCH_JAR" --base "http://127.0.0.1:$KPORT" --admin-token "$TOKEN" --devices "$DEVICES" \
    --phases upload --concurrency $LEVELS --duration "$DURATION" --warmup 1s --server-warmup 30s \
    --server-pid keydir="$KPID" --server-pid postgres="$(head -1 "$WORK/pg/postmaster.pid")" \
    --out "$OUT/bench" > "$OUT/bench.out" 2>&1 &
bench=$!
sleep 32
P -d keydir -c "SELECT pg_stat_statements_reset()" >/dev/null

perf record -q -a -F 1999 -o "$OUT/perf.data" -- sleep 8 2>/dev/null
jcmd $KPID Compiler.perfmap >/dev/null 2>&1 || echo no perfmap
P -d keydir -c "SELECT calls, round(total_exec_time::numeric,1) ms, round((total_exec_time/calls)::numeric,3) per_call, rows, left(regexp_replace(query,'\s+',' ','g'),110) q FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 14" > "$OUT/pss.txt"
cp $WORK/pg/server.log $OUT/server.log
wait $bench || true
perf report -q -i "$OUT/perf.data" --comm postgres --sort sym -n --stdio 2>/dev/null | head -60 > "$OUT/symbols.txt"
perf report -q -i "$OUT/perf.data" --sort comm,dso -n --stdio 2>/dev/null | head -30 > "$OUT/comms.txt" || true
perf report -q -i "$OUT/perf.data" --pid $KPID --sort dso -n --stdio 2>/dev/null | head -20 > "$OUT/java-dso.txt" || true
perf report -q -i "$OUT/perf.data" --pid $KPID --sort sym -n --stdio 2>/dev/null | head -80 > "$OUT/java-sym.txt" || true
cp $WORK/pg/server.log $OUT/server.log; rm -f "$OUT/perf.data"
