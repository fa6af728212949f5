#!/usr/bin/env bash
# bench/embedded-vs-external.sh — keydir's claims on its embedded PostgreSQL (the default path) against
# keydir on an external PostgreSQL 15, on a quiet table and right after an upload phase, alternated in
# one go (this VM drifts 2-3x between runs minutes apart). Every case starts on a fresh database:
#   quiet:        keydir bench --phases claim          (the bench stocks the devices, then claims)
#   after-upload: keydir bench --phases upload,claim   (the same levels of 100-key uploads first)
# Prints claims/s and server CPU per claim per case and level, the embedded/external ratios and the
# after-upload/quiet ratios (issue 17: >= 90 % and >= 80 %). Raw output: bench/results/emb-ext-<date>/.
# Knobs: ROUNDS (2) LEVELS (1,16,64) DURATION (6s) DEVICES (64) SERVER_WARMUP (25s)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-2}; LEVELS=${LEVELS:-1,16,64}; DURATION=${DURATION:-6s}
DEVICES=${DEVICES:-64}
PGBIN=/usr/lib/postgresql/15/bin; PGPORT=55438; KPORT=18118
JAR=$PWD/server/target/keydir.jar; BENCH_JAR=$PWD/tools/target/keydir-tools.jar; mvn -B -q -DskipTests package
WORK=$(mktemp -d /tmp/keydir-emb-ext.XXXXXX); chmod 755 "$WORK"
RUN_AS=(); [ "$(id -u)" = 0 ] && RUN_AS=(runuser -u postgres --)
TOKEN=ee-admin-token-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n'); KEK=$(head -c32 /dev/urandom | base64)
OUT=$PWD/bench/results/emb-ext-$(date +%Y-%m-%d_%H%M); mkdir -p "$OUT"
echo "commit $(git rev-parse --short HEAD)$(git diff --quiet || echo ' + working tree'); $(nproc) cores" | tee "$OUT/machine.txt"
KPID=
cleanup() {
  [ -n "$KPID" ] && kill "$KPID" 2>/dev/null && wait "$KPID" 2>/dev/null || true
  "${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$WORK/pg" -m fast stop >/dev/null 2>&1 || true
}
trap 'cleanup; rm -rf "$WORK"' EXIT
. bench/keydir-case.sh

run_case() {  # run_case <embedded|external> <quiet|after-upload> <round>
  local server=$1 case=$2 name=$1-$2-$3 url= pgpid phases=claim
  cleanup; rm -rf "$WORK/pg" "$WORK/data"
  if [ "$server" = external ]; then
    start_cluster "$PGBIN" ""
    "${RUN_AS[@]}" "$PGBIN/createdb" -h 127.0.0.1 -p $PGPORT -U postgres keydir
    url=postgresql://postgres@127.0.0.1:$PGPORT/keydir
  fi
  start_keydir "$name" "$url"
  if [ "$server" = external ]; then pgpid=$(head -1 "$WORK/pg/postmaster.pid"); else pgpid=$(head -1 "$WORK/data/postgres/postmaster.pid"); fi
  [ "$case" = after-upload ] && phases=upload,claim
  bench_keydir "$name" "$phases" "$pgpid"
}

for round in $(seq 1 "$ROUNDS"); do
  for case in after-upload quiet; do
    for server in embedded external; do run_case "$server" "$case" "$round"; done
  done
done

python3 - "$OUT" "$ROUNDS" <<'PY' | tee "$OUT/summary.md"
import json, os, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
def levels(name):
    with open(os.path.join(out, name, "results.json")) as f:
        return {l["concurrency"]: l for l in json.load(f)["levels"] if l["phase"] == "claim"}
cases = {(s, c): [levels(f"{s}-{c}-{r}") for r in range(1, rounds + 1)]
         for s in ("embedded", "external") for c in ("quiet", "after-upload")}
def med(s, c, level, pick):
    return statistics.median(pick(run[level]) for run in cases[(s, c)])
rate = lambda l: l["requests_per_s"]
cpu = lambda l: l["server"].get("cpu_ms_per_request", float("nan"))
print(f"medians of {rounds} alternated rounds; claims/s (server CPU ms per claim)\n")
print("| clients | case | embedded | external | embedded / external |")
print("|---:|---|---:|---:|---:|")
for level in sorted(cases[("embedded", "quiet")][0]):
    for c in ("quiet", "after-upload"):
        e, x = med("embedded", c, level, rate), med("external", c, level, rate)
        print(f"| {level} | {c} | {e:.0f} ({med('embedded', c, level, cpu):.2f}) | {x:.0f} ({med('external', c, level, cpu):.2f}) | {100 * e / x:.0f} % |")
print("\n| clients | after-upload / quiet, embedded | external |")
print("|---:|---:|---:|")
for level in sorted(cases[("embedded", "quiet")][0]):
    r = [100 * med(s, "after-upload", level, rate) / med(s, "quiet", level, rate) for s in ("embedded", "external")]
    print(f"| {level} | {r[0]:.0f} % | {r[1]:.0f} % |")
PY
