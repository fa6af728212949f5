#!/usr/bin/env bash
# ad-hoc: database collation C.UTF-8 (initdb default here) vs C, alternated
set -uo pipefail
cd /work/main
PG15=/usr/lib/postgresql/15/bin; PGPORT=55465; KPORT=18145
JAR=$PWD/server/target/keydir.jar; BENCH_JAR=$PWD/tools/target/keydir-tools.jar
WORK=$(mktemp -d /tmp/keydir-coll.XXXXXX); chmod 755 "$WORK"
RUN_AS=(runuser -u postgres --)
TOKEN=prof-admin-token-0123456789; KEK=$(head -c32 /dev/urandom | base64)
OUT=${OUT:-/tmp/up/coll}; mkdir -p $OUT
DEVICES=64; LEVELS=1,16; DURATION=6s; SERVER_WARMUP=20s
KPID=; BIN=$PG15
trap 'stop_case; rm -rf "$WORK"' EXIT
. bench/keydir-case.sh
for r in 1 2; do for loc in utf8 c; do
  stop_case; rm -rf "$WORK/pg" "$WORK/data"
  if [ $loc = c ]; then start_cluster "$BIN" "" --locale=C; else start_cluster "$BIN" ""; fi
  "${RUN_AS[@]}" "$PG15/psql" -X -q -h 127.0.0.1 -p $PGPORT -U postgres -d postgres -c "CREATE DATABASE keydir"
  start_keydir $loc-$r "postgresql://postgres@127.0.0.1:$PGPORT/keydir"
  bench_keydir $loc-$r upload,claim "$(head -1 "$WORK/pg/postmaster.pid")"
done; done
python3 - "$OUT" <<'PY'
import json, sys, os
out = sys.argv[1]
for name in sorted(os.listdir(out)):
    f = os.path.join(out, name, "results.json")
    if not os.path.exists(f): continue
    for l in json.load(open(f))["levels"]:
        s = l["server"]; n = max(l["requests"], 1)
        print(f"{name:8} {l['phase']:7} c={l['concurrency']:<3} {l['requests_per_s']:8.0f}/s  keydir {s['cpu_ms']['keydir']/n:6.3f}  pg {s['cpu_ms']['postgres']/n:6.3f} ms/req")
PY
