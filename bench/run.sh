#!/usr/bin/env bash
# bench/run.sh — keydir against the limit, side by side, in one go on this machine.
#
#   1. PostgreSQL 15 (Debian binaries, fsync on) with keydir's schema, filled with keys: pgbench runs
#      keydir's own claim statement (`keydir statement claim-one`) and its upload
#      transaction at each concurrency level → the raw tps.
#   2. keydir with its embedded PostgreSQL, and `keydir bench` against it.
#   3. keydir against the PostgreSQL 15 of step 1 (KEYDIR_DATABASE_URL), benched the same way.
#   3c. keydir's single-device claim against the raw claim statement, alternated round by round
#      (ALTERNATE_ROUNDS: every level raw, then every level through keydir in one client JVM), so a
#      noisy machine shows as spread in the raw figures instead of as a slow keydir.
#   3d. with OTHER_URL: the same bench against a second server (e.g. a real homeserver; its devices
#      from OTHER_DEVICES_FILE, or its admin API with OTHER_ADMIN_TOKEN; OTHER_PID samples its CPU).
#   4. keydir's claim throughput as a ratio of the raw claim tps per level, server CPU per claim,
#      keydir RSS under load, startup to /ready on an existing data folder, keydir vs the other
#      server → summary.md.
#
# Everything lands in bench/results/<date>/ (summary.md, and per run results.json + report.html).
# Knobs (environment): DURATION (4s) WARMUP (1s, before each level) SERVER_WARMUP (25s, before the first phase: after 8 s the JIT compilers still took a fifth of the CPU, docs/performance.md item 16) LEVELS (1,4,16,64) DEVICES (256) PHASES, PGPORT (55432),
# KEYDIR_BENCH_JAVA_OPTS (JVM options for the keydir server; default as ./keydir), RAW_ON_EMBEDDED (1: also
# pgbench the claim on the embedded server's PostgreSQL, like for like with step 2).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DURATION=${DURATION:-4s}
WARMUP=${WARMUP:-1s}
SERVER_WARMUP=${SERVER_WARMUP:-25s}
LEVELS=${LEVELS:-1,4,16,64}
DEVICES=${DEVICES:-256}
PHASES=${PHASES:-upload,claim,claim-bulk,query,mixed}
PGPORT=${PGPORT:-55432}
RAW_ON_EMBEDDED=${RAW_ON_EMBEDDED:-1}
ALTERNATE_ROUNDS=${ALTERNATE_ROUNDS:-3}
PGBIN=/usr/lib/postgresql/15/bin
ADMIN_TOKEN=bench-admin-token-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
KEYDIR_PORT=18108
BENCH_KEK=${KEYDIR_KEY_ENCRYPTION_KEY:-$(head -c32 /dev/urandom | base64)}   # one key for every keydir start of this run
SECS=${DURATION%s}
STAMP=$(date +%Y-%m-%d_%H%M)
OUT=$ROOT/bench/results/$STAMP
WORK=$(mktemp -d /tmp/keydir-bench.XXXXXX)
chmod 755 "$WORK"
mkdir -p "$OUT"
LOG=$OUT/run.log
exec > >(tee -a "$LOG") 2>&1

# Other work on this (shared) machine distorts the figures: note every process from another worktree
# that uses CPU while this runs.
watch_foreign() {
  while sleep 2; do
    ps -eo pcpu=,args= | awk -v me="$ROOT" '$1 > 5 && $0 ~ /\/work\// && index($0, me) == 0 {n++} END {print strftime("%T"), n + 0}'
  done > "$OUT/foreign.txt"
}
say() { printf '\n== %s  %s\n' "$(date +%T)" "$*"; }
KEYDIR_PID=
cleanup() {
  [ -n "${WATCH_PID:-}" ] && kill "$WATCH_PID" 2>/dev/null || true
  [ -n "$KEYDIR_PID" ] && kill "$KEYDIR_PID" 2>/dev/null && wait "$KEYDIR_PID" 2>/dev/null || true
  [ -f "$WORK/pg15/postmaster.pid" ] && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/pg15" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
watch_foreign &
WATCH_PID=$!

# CPU ticks (user+sys, children reaped included) of a process tree, from /proc.
tree_ticks() {
  for f in /proc/[0-9]*/stat; do cat "$f" 2>/dev/null; echo; done | awk -v root="$1" '
    NF { pid = $1; line = $0; sub(/^.*\) /, "", line); split(line, f, " ");
         ppid[pid] = f[2]; t[pid] = f[12] + f[13] + f[14] + f[15] }
    END { n = 0; for (p in ppid) { q = p; while (q != "" && q != root && q != 0 && q != 1) q = ppid[q];
                                   if (q == root) n += t[p] } print n }'
}
TICKS=$(getconf CLK_TCK)

psql15() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PGPORT" -U postgres "$@"; }

say "building keydir"
./keydir --version
./keydir bench --version
JAR=$ROOT/server/target/keydir.jar
BENCH_JAR=$ROOT/tools/target/keydir-tools.jar

{
  echo "date: $(date -Is)"
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GB RAM"
  echo "java: $(java -version 2>&1 | head -1)"
  echo "postgres external: $("$PGBIN/postgres" --version)"
  echo "git: $(git rev-parse --short HEAD)"
  echo "load before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT/machine.txt"

# ---------------------------------------------------------------------------------------------
say "1. PostgreSQL 15 + pgbench (keydir's claim statement and upload transaction)"
mkdir -p "$WORK/pg15" "$WORK/sock" && chown postgres "$WORK/pg15" "$WORK/sock" && chmod 700 "$WORK/pg15"
runuser -u postgres -- "$PGBIN/initdb" -D "$WORK/pg15" -U postgres -A trust -E UTF8 >/dev/null
touch "$WORK/pg15.log" && chown postgres "$WORK/pg15.log"
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/pg15" -l "$WORK/pg15.log" -w start \
  -o "-p $PGPORT -k $WORK/sock -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on -c full_page_writes=on -c max_connections=200" >/dev/null
PG15_PID=$(head -1 "$WORK/pg15/postmaster.pid")
psql15 -d postgres -c "CREATE DATABASE pgraw" -c "CREATE DATABASE keydir"

# The claim statement as keydir sends it (`keydir statement claim-one`); $1..$4 become pgbench
# expressions (one device).
CLAIM_SQL=$(java -jar "$JAR" statement claim-one)
[ -n "$CLAIM_SQL" ] || { echo "could not extract the claim statement" >&2; exit 1; }

raw_bench() {  # raw_bench <port> <db> <label> <scripts…>: fills, then pgbench claim (and upload) per level
  local port=$1 db=$2 label=$3; shift 3
  local P=(-h 127.0.0.1 -p "$port" -U postgres)
  for f in $(ls sql/*.sql | sort -V); do "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 "${P[@]}" -d "$db" -f "$f"; done
  # Claim devices @pgb<i>: 2000 keys each; upload devices @pgu<i>: none. Same key JSON size as the bench's.
  "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 "${P[@]}" -d "$db" <<SQL
INSERT INTO devices SELECT u, 'D', NULL, 0 FROM (SELECT '@pg' || k || i || ':bench' AS u FROM generate_series(1, $DEVICES) i, unnest(ARRAY['b','u']) k) s;
INSERT INTO device_keys SELECT user_id, 'D', '{"device_keys":"' || md5(user_id) || '"}', md5(user_id), md5(user_id || 'c'), 0 FROM devices;
INSERT INTO fallback_keys SELECT user_id, 'D', 'signed_curve25519', 'fallback', '{"key":"fallback"}', false, 0 FROM devices;
INSERT INTO one_time_keys (user_id, device_id, algorithm, key_id, key_json, uploaded_ts, upload_seq, upload_pos)
  SELECT '@pgb' || i || ':bench', 'D', 'signed_curve25519', 'k' || j,
         '{"key":"' || substr(encode(sha256(int8send(i * 100000 + j)), 'base64'), 1, 43) || '","signatures":{"@pgb' || i
         || ':bench":{"ed25519:D":"' || rpad(md5(j::text), 86, 'x') || '"}}}', 0, (j - 1) / 100, (j - 1) % 100
  FROM generate_series(1, $DEVICES) i, generate_series(1, 2000) j;
SELECT setval('one_time_key_upload_seq', 100000);
VACUUM ANALYZE;
SQL
  # pgbench substitutes every ":name", even inside string literals, so the colons of user ids and
  # key ids are written E'\x3a'. U = the device's user id; C = a colon. The statement is keydir's
  # single-device claim (CLAIM_ONE), its scalar parameters bound as keydir binds them.
  local U="'@pgb' || :d::text || E'\\\\x3abench'" W="'@pgu' || :d::text || E'\\\\x3abench'" C="E'\\\\x3a'"
  {
    echo '\set d random(1, '"$DEVICES"')'
    echo "$CLAIM_SQL" | sed -e "s/\\\$1/($U)/g" -e "s/\\\$2/'D'/g" \
      -e "s/\\\$3/'signed_curve25519'/g" -e 's/\$4/1700000000000/g' | tr '\n' ' '
    echo ';'
  } > "$WORK/claim.sql"
  sed -e "s/@U@/$W/g" -e "s/@C@/$C/g" > "$WORK/upload.sql" <<SQL
\\set d random(1, $DEVICES)
\\set k random(1, 9000000000000000000)
BEGIN;
SELECT 1 FROM devices WHERE user_id = @U@ AND device_id = 'D' FOR UPDATE;
\\startpipeline
SELECT key_json, ed25519, curve25519 FROM device_keys WHERE user_id = @U@ AND device_id = 'D';
SELECT algorithm, key_id, key_json FROM one_time_keys WHERE user_id = @U@ AND device_id = 'D' AND (algorithm, key_id) IN (SELECT 'signed_curve25519', 'r' || :k::text || '_' || g FROM generate_series(1, 100) g);
SELECT algorithm, count(*) AS n FROM one_time_keys WHERE user_id = @U@ AND device_id = 'D' AND claimed_ts IS NULL GROUP BY algorithm;
SELECT algorithm, key_id, key_json, used FROM fallback_keys WHERE user_id = @U@ AND device_id = 'D';
\\endpipeline
INSERT INTO one_time_keys (user_id, device_id, algorithm, key_id, key_json, uploaded_ts, upload_seq, upload_pos) SELECT @U@, 'D', 'signed_curve25519', 'r' || :k::text || '_' || g, '{"key"' || @C@ || '"' || md5(g::text || :k::text) || 'AAAAAAAAAAA","signatures"' || @C@ || '{"' || @U@ || '"' || @C@ || '{"ed25519' || @C@ || 'D"' || @C@ || '"' || rpad(md5(:k::text), 86, 'x') || '"}}}', 1700000000000, s.seq, g FROM (SELECT nextval('one_time_key_upload_seq') AS seq) s, generate_series(1, 100) g;
SELECT algorithm, count(*) AS n FROM one_time_keys WHERE user_id = @U@ AND device_id = 'D' AND claimed_ts IS NULL GROUP BY algorithm;
COMMIT;
SQL
  local root
  root=$(head -1 "$PGDATA_OF_PORT/postmaster.pid")
  # "claim" runs as keydir sends it (PostgreSQL re-plans it on every execution, see docs/performance.md);
  # "claim-generic" is the same statement with plan_cache_mode=force_generic_plan (plan cached).
  for script in "$@"; do
    local file=${script%-generic} opts=
    [ "$file" != "$script" ] && opts="-c plan_cache_mode=force_generic_plan"
    for c in ${LEVELS//,/ }; do
      local j=$(( c < 2 ? 1 : 2 )) t0 t1 out tps n
      t0=$(tree_ticks "$root")
      out=$(PGOPTIONS="$opts" "$PGBIN/pgbench" -n -M prepared -c "$c" -j "$j" -T "$SECS" "${P[@]}" -f "$WORK/$file.sql" "$db" 2>&1) \
        || { echo "$out"; exit 1; }
      t1=$(tree_ticks "$root")
      tps=$(echo "$out" | awk '/^tps = /{print $3; exit}')
      n=$(echo "$out" | awk '/number of transactions actually processed/{split($NF, a, "/"); print a[1]; exit}')
      lat=$(echo "$out" | awk '/^latency average/{print $4; exit}')
      cpu=$(awk -v d=$((t1 - t0)) -v n="$n" -v hz="$TICKS" 'BEGIN{printf "%.3f", n ? d * 1000 / hz / n : 0}')
      printf '%s %s %d %s %s %s\n' "$label" "$script" "$c" "$tps" "$lat" "$cpu" | tee -a "$OUT/pgbench.txt"
    done
  done
  "$PGBIN/psql" -X -q -At "${P[@]}" -d "$db" -c "SELECT 'claimed by pgbench: ' || count(*) FILTER (WHERE claimed_ts IS NOT NULL) || ', left on the busiest device: ' || (SELECT min(n) FROM (SELECT count(*) n FROM one_time_keys WHERE user_id LIKE '@pgb%' AND claimed_ts IS NULL GROUP BY user_id) x) FROM one_time_keys" | tee -a "$OUT/pgbench.txt"
}
echo "# label script clients tps latency_avg_ms postgres_cpu_ms_per_tx" > "$OUT/pgbench.txt"
PGDATA_OF_PORT=$WORK/pg15 raw_bench "$PGPORT" pgraw pg15 claim claim-generic upload

# ---------------------------------------------------------------------------------------------
start_keydir() {  # start_keydir <data dir> [database url]: sets KEYDIR_PID, waits for /ready
  KEYDIR_DATA_DIR=$1 KEYDIR_DATABASE_URL=${2:-} KEYDIR_LISTEN_PORT=$KEYDIR_PORT KEYDIR_ADMIN_TOKEN=$ADMIN_TOKEN \
    KEYDIR_RATE_LIMIT_ENABLED=false KEYDIR_KEY_ENCRYPTION_KEY=$BENCH_KEK \
    MALLOC_ARENA_MAX=2 java ${KEYDIR_BENCH_JAVA_OPTS:--Xmx224m -XX:ReservedCodeCacheSize=64m -XX:MaxMetaspaceSize=128m -XX:MaxDirectMemorySize=64m} -jar "$JAR" serve >> "$WORK/keydir-$(basename "$1").log" 2>&1 &
  KEYDIR_PID=$!
  for _ in $(seq 1 600); do curl -sf "localhost:$KEYDIR_PORT/ready" >/dev/null && return 0; sleep 0.05; done
  echo "keydir did not become ready" >&2; tail -20 "$WORK/keydir-$(basename "$1").log" >&2; exit 1
}
stop_keydir() { kill "$KEYDIR_PID"; wait "$KEYDIR_PID" 2>/dev/null || true; KEYDIR_PID=; }

run_bench() {  # run_bench <name> <postgres root pid>
  java -jar "$BENCH_JAR" --base "http://127.0.0.1:$KEYDIR_PORT" --admin-token "$ADMIN_TOKEN" --devices "$DEVICES" \
    --concurrency "$LEVELS" --duration "$DURATION" --warmup "$WARMUP" --server-warmup "$SERVER_WARMUP" --phases "$PHASES" \
    --server-pid keydir="$KEYDIR_PID" --server-pid postgres="$2" --out "$OUT/$1" || echo "bench $1: problems found (exit $?)"
}

startup_times() {  # startup_times <name> <data dir> [url]: keydir launch → /ready, three times
  for i in 1 2 3; do
    local t0 t1
    t0=$(date +%s%N)
    start_keydir "$2" "${3:-}"
    t1=$(date +%s%N)
    stop_keydir
    echo "$1 $(( (t1 - t0) / 1000000 ))" | tee -a "$OUT/startup.txt"
  done
}

say "2. keydir, embedded PostgreSQL"
start_keydir "$WORK/kd-embedded"
EMB_PG_PID=$(head -1 "$WORK/kd-embedded/postgres/postmaster.pid")
EMB_PG_PORT=$(sed -n 4p "$WORK/kd-embedded/postgres/postmaster.pid")
run_bench embedded "$EMB_PG_PID"
# the embedded server asks every connection for a password (README "Only keydir reaches it")
export PGPASSWORD; PGPASSWORD=$(cat "$WORK/kd-embedded/postgres_superuser_password")
if [ "$RAW_ON_EMBEDDED" = 1 ]; then
  say "2b. pgbench claim on the embedded PostgreSQL (same server keydir just used)"
  "$PGBIN/psql" -X -q -h 127.0.0.1 -p "$EMB_PG_PORT" -U postgres -d postgres -c "CREATE DATABASE pgraw"
  PGDATA_OF_PORT=$WORK/kd-embedded/postgres raw_bench "$EMB_PG_PORT" pgraw embedded claim claim-generic
  "$PGBIN/psql" -X -q -h 127.0.0.1 -p "$EMB_PG_PORT" -U postgres -d postgres -c "DROP DATABASE pgraw"
fi
EMB_VERSION=$("$PGBIN/psql" -X -At -h 127.0.0.1 -p "$EMB_PG_PORT" -U postgres -d postgres -c "SHOW server_version")
echo "postgres embedded: $EMB_VERSION" | tee -a "$OUT/machine.txt"
unset PGPASSWORD
stop_keydir
startup_times embedded "$WORK/kd-embedded"

say "3. keydir, external PostgreSQL 15"
URL="postgresql://postgres@127.0.0.1:$PGPORT/keydir"
start_keydir "$WORK/kd-external" "$URL"
run_bench external "$PG15_PID"
stop_keydir
startup_times external "$WORK/kd-external" "$URL"

if [ "${EXPERIMENT_GENERIC:-1}" = 1 ]; then
  say "3b. experiment: keydir on PostgreSQL 15 with plan_cache_mode=force_generic_plan for every statement (database setting)"
  psql15 -d postgres -c "CREATE DATABASE keydir_generic" -c "ALTER DATABASE keydir_generic SET plan_cache_mode = force_generic_plan"
  start_keydir "$WORK/kd-generic" "postgresql://postgres@127.0.0.1:$PGPORT/keydir_generic"
  PHASES=${EXPERIMENT_PHASES:-claim,claim-bulk} run_bench external-generic "$PG15_PID"
  stop_keydir
fi
if [ "$ALTERNATE_ROUNDS" -gt 0 ]; then
  say "3c. single-device claims: raw statement and keydir alternated, $ALTERNATE_ROUNDS rounds"
  # the raw devices get their keys back (claims marked them used), so no round runs dry
  psql15 -d pgraw -c "UPDATE one_time_keys SET claimed_ts = NULL, key_json = '{\"key\":\"k\"}' WHERE user_id LIKE '@pgb%'" -c "VACUUM ANALYZE one_time_keys"
  start_keydir "$WORK/kd-alternate" "$URL"
  echo "# round clients raw_tps keydir_claims_per_s" > "$OUT/alternation.txt"
  sw=$SERVER_WARMUP
  for round in $(seq 1 "$ALTERNATE_ROUNDS"); do
    declare -A raw=()
    for c in ${LEVELS//,/ }; do
      j=$(( c < 2 ? 1 : 2 ))
      raw[$c]=$("$PGBIN/pgbench" -n -M prepared -c "$c" -j "$j" -T "$SECS" -h 127.0.0.1 -p "$PGPORT" -U postgres \
        -f "$WORK/claim.sql" pgraw 2>&1 | awk '/^tps = /{print $3; exit}')
    done
    # one client JVM for every level of the round, as in step 3 (a new JVM per level measured its
    # own warm-up and its device setup's signing)
    java -jar "$BENCH_JAR" --base "http://127.0.0.1:$KEYDIR_PORT" --admin-token "$ADMIN_TOKEN" --devices "$DEVICES" \
      --concurrency "$LEVELS" --duration "$DURATION" --warmup "$WARMUP" --server-warmup "$sw" --phases claim --quiet \
      --server-pid keydir="$KEYDIR_PID" --server-pid postgres="$PG15_PID" --out "$OUT/alternate/$round" >/dev/null \
      || echo "bench alternate $round: problems found (exit $?)"
    sw=0s
    for c in ${LEVELS//,/ }; do
      rps=$(jq -r --argjson c "$c" '.levels[] | select(.concurrency == $c) | .requests_per_s' "$OUT/alternate/$round/results.json")
      echo "$round $c ${raw[$c]} $rps" | tee -a "$OUT/alternation.txt"
    done
  done
  stop_keydir
fi
psql15 -d postgres -c "DROP DATABASE pgraw"

if [ -n "${OTHER_URL:-}" ]; then
  say "3d. the other server: $OTHER_URL"
  other=()
  if [ -n "${OTHER_DEVICES_FILE:-}" ]; then other+=(--devices-file "$OTHER_DEVICES_FILE"); else other+=(--admin-token "${OTHER_ADMIN_TOKEN:?OTHER_DEVICES_FILE or OTHER_ADMIN_TOKEN}"); fi
  [ -n "${OTHER_PID:-}" ] && other+=(--server-pid other="$OTHER_PID")
  java -jar "$BENCH_JAR" --base "$OTHER_URL" "${other[@]}" --devices "$DEVICES" --concurrency "$LEVELS" \
    --duration "$DURATION" --warmup "$WARMUP" --server-warmup "$SERVER_WARMUP" --phases "$PHASES" --out "$OUT/other" \
    || echo "bench other: problems found (exit $?)"
  echo "$OTHER_URL" > "$OUT/other/url.txt"
fi
mkdir -p "$OUT/logs" && cp "$WORK"/*.log "$OUT/logs/" 2>/dev/null || true

# ---------------------------------------------------------------------------------------------
say "4. summary"
bench/summarize.sh "$OUT" | tee "$OUT/summary.md"
