# bench/keydir-case.sh — sourced by bench/embedded-vs-external.sh and bench/pg18-settings.sh: one
# keydir from the shaded jar, started and benched the same way in every case. Uses the caller's
# WORK, KPORT, PGPORT, RUN_AS, TOKEN, KEK, JAR, BENCH_JAR, DEVICES, LEVELS, DURATION and OUT, and
# SERVER_WARMUP (25s of unmeasured mixed load first: after 8 s the JIT compilers of keydir and the
# bench still took a fifth of the CPU during the claims, docs/performance.md item 16); sets KPID.

stop_case() {  # stops keydir and the $BIN cluster under $WORK/pg, when running
  [ -n "$KPID" ] && kill "$KPID" 2>/dev/null && wait "$KPID" 2>/dev/null || true
  [ -n "${BIN:-}" ] && "${RUN_AS[@]}" "$BIN/pg_ctl" -D "$WORK/pg" -m fast stop >/dev/null 2>&1 || true
}

start_cluster() {  # start_cluster <PostgreSQL bin folder> "<extra -c settings>" [initdb options...]: a fresh $WORK/pg
  local bin=$1 settings=$2; shift 2
  mkdir -p "$WORK/pg"; [ -n "${RUN_AS[*]}" ] && chown postgres "$WORK/pg"
  "${RUN_AS[@]}" "$bin/initdb" -D "$WORK/pg" -U postgres -A trust "$@" >/dev/null
  "${RUN_AS[@]}" "$bin/pg_ctl" -D "$WORK/pg" -l "$WORK/pg/server.log" -w start \
    -o "-p $PGPORT -k /tmp -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on -c max_connections=200 $settings" >/dev/null
}

start_keydir() {  # start_keydir <name> <database URL, empty for the embedded server>
  KEYDIR_DATABASE_URL=$2 KEYDIR_DATA_DIR=$WORK/data KEYDIR_LISTEN_PORT=$KPORT KEYDIR_ADMIN_TOKEN=$TOKEN \
    KEYDIR_RATE_LIMIT_ENABLED=false KEYDIR_KEY_ENCRYPTION_KEY=$KEK MALLOC_ARENA_MAX=2 \
    java -Xmx224m -XX:ReservedCodeCacheSize=64m -XX:MaxMetaspaceSize=128m -XX:MaxDirectMemorySize=64m \
    -jar "$JAR" serve > "$WORK/$1.log" 2>&1 &
  KPID=$!
  for _ in $(seq 1 600); do curl -sf "localhost:$KPORT/ready" >/dev/null && break; sleep 0.05; done
}

bench_keydir() {  # bench_keydir <name> <phases> <postgres postmaster pid>: then stops keydir
  java -jar "$BENCH_JAR" --base "http://127.0.0.1:$KPORT" --admin-token "$TOKEN" --devices "$DEVICES" \
    --phases "$2" --concurrency "$LEVELS" --duration "$DURATION" --warmup 1s --server-warmup "${SERVER_WARMUP:-25s}" --quiet \
    --server-pid keydir="$KPID" --server-pid postgres="$3" --out "$OUT/$1" >/dev/null || echo "bench $1: problems found"
  kill "$KPID"; wait "$KPID" 2>/dev/null || true; KPID=
  echo "done $1"
}
