#!/usr/bin/env bash
# bench/summarize.sh <results dir>: the markdown summary of a bench/run.sh run (tables, ratios, targets).
set -euo pipefail
D=$1
PG=$D/pgbench.txt
runs=()
for r in embedded external external-generic other; do [ -f "$D/$r/results.json" ] && runs+=("$r"); done
levels=$(jq -r '[.options.concurrency[]] | map(tostring) | join(" ")' "$D/${runs[0]}/results.json")

raw() {  # raw <label> <script> <clients> → tps
  awk -v l="$1" -v s="$2" -v c="$3" '$1 == l && $2 == s && $3 == c {print $4}' "$PG"
}
rawcpu() { awk -v l="$1" -v s="$2" -v c="$3" '$1 == l && $2 == s && $3 == c {print $6}' "$PG"; }
lvl() {  # lvl <run> <phase> <clients> <jq path>
  jq -r --arg p "$2" --argjson c "$3" ".levels[] | select(.phase == \$p and .concurrency == \$c) | $4" "$D/$1/results.json"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b > 0 && a != "") printf "%.0f%%", 100 * a / b; else printf "–" }'; }
verdict() { if [ "$1" = 1 ]; then echo "**met**"; else echo "**not met**"; fi; }

echo "# keydir bench — $(basename "$D")"
echo
sed 's/^/    /' "$D/machine.txt"
echo
echo "Settings: $(jq -r '"\(.options.devices) devices, \(.options.limit) per level after \(.options.warmup_s) s warm-up, batch \(.options.batch), bulk \(.options.bulk), query \(.options.query_users) devices"' "$D/${runs[0]}/results.json"). pgbench: same levels and duration, \`-M prepared\`."
echo "The machine is shared (2 cores: bench client, keydir and PostgreSQL together, plus whatever else runs there)."
if [ -f "$D/foreign.txt" ]; then
  echo "Other worktrees' processes using CPU during the run: seen in $(awk '$2 > 0' "$D/foreign.txt" | wc -l) of $(wc -l < "$D/foreign.txt") two-second samples$(awk '$2 > 0 {t = t sep $1; sep = " "} END {if (t) print " (at " t ")"}' "$D/foreign.txt" | cut -c1-300)."
fi
echo
echo "## Raw PostgreSQL: keydir's statements under pgbench (transactions/s)"
echo
printf '| statement | server |'; for c in $levels; do printf ' %s clients |' "$c"; done; echo
printf '|---|---|'; for c in $levels; do printf '%s' '---:|'; done; echo
while read -r label script; do
  printf '| %s | %s |' "$script" "$label"
  for c in $levels; do printf ' %s |' "$(raw "$label" "$script" "$c" | awk '{printf "%.0f", $1}')"; done; echo
done < <(awk '!/^#/ && NF == 6 {print $1, $2}' "$PG" | sort -u)
echo
echo "claim = keydir's single-device claim statement (\`ClaimStore.CLAIM_ONE\`), text unchanged, scalar parameters as keydir binds them, for one random device (of $(jq -r .options.devices "$D/${runs[0]}/results.json")), autocommit, as PostgreSQL plans it by itself (it caches the plan after five executions). claim-generic = the same with \`plan_cache_mode=force_generic_plan\` (plan cached). upload = keydir's upload transaction (lock device, 4 reads pipelined, insert 100 keys, count), SQL only."
echo

for r in "${runs[@]}"; do
  J=$D/$r/results.json
  if [ "$r" = other ]; then echo "## The other server over HTTP: $(cat "$D/other/url.txt" 2>/dev/null)"; else echo "## keydir over HTTP, $r PostgreSQL"; fi
  echo
  echo "| phase | clients | req/s | keys/s | p50 ms | p90 ms | p99 ms | max ms | errors | empty claims | server CPU ms/req (keydir + PG) | bench CPU ms/req | keydir RSS MB |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  jq -r 'def r3: . * 1000 | round / 1000; .levels[] | "| \(.phase) | \(.concurrency) | \(.requests_per_s | round) | \(.keys_per_s | round) | \(.latency_ms.p50 | r3) | \(.latency_ms.p90 | r3) | \(.latency_ms.p99 | r3) | \(.latency_ms.max | r3) | \(.errors) | \(.empty_claims) | \(.server.cpu_ms_per_request // "–") (\(.server.cpu_ms.keydir / .requests | r3) + \(.server.cpu_ms.postgres / .requests | r3)) | \(.client.cpu_ms_per_request // "–") | \(.server.rss_max_mb.keydir // "–" | if type == "number" then round else . end) |\(if .stock_ran_out then " keys ran out, ended early" else "" end)"' "$J"
  echo
  echo "Checks over the whole run: $(jq -r '.checks | "keys handed out twice: \(.verification_errors.duplicate_key // 0); empty claims: \(.empty_claims); final key count mismatches: \(.final_count_mismatches) of \(.final_count_devices_checked) devices; verification errors: \(.verification_errors); error statuses: \(.errors_by_status)"' "$J")."
  echo "Report with plots: \`$r/report.html\`."
  echo
done

echo "## keydir claim throughput as a ratio of the raw claim statement"
echo
echo "Raw figures from the same PostgreSQL server keydir ran on (the embedded one is pgbenched right after keydir's run on it)."
echo
echo "| keydir on | clients | keydir claims/s | raw claim tps (as keydir sends it) | ratio | raw claim-generic tps (plan cached) | ratio | server CPU ms/claim | raw PG CPU ms/tx (claim, claim-generic) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for r in "${runs[@]}"; do
  [ "$r" = other ] && continue
  label=pg15; [ "$r" = embedded ] && grep -q '^embedded claim' "$PG" && label=embedded
  for c in $levels; do
    k=$(lvl "$r" claim "$c" .requests_per_s)
    [ -n "$k" ] || continue
    p=$(raw "$label" claim "$c"); g=$(raw "$label" claim-generic "$c")
    printf '| %s | %s | %.0f | %.0f | %s | %.0f | %s | %s | %s, %s |\n' "$r" "$c" "$k" "${p:-0}" "$(ratio "$k" "$p")" "${g:-0}" \
      "$(ratio "$k" "$g")" "$(lvl "$r" claim "$c" .server.cpu_ms_per_request)" "$(rawcpu "$label" claim "$c")" "$(rawcpu "$label" claim-generic "$c")"
  done
done
echo

echo "## Targets (issue 8)"
echo
for r in "${runs[@]}"; do
  J=$D/$r/results.json
  [ "$r" = other ] && continue
  [ "$(jq '[.levels[].phase] | index("upload") != null' "$J")" = true ] || continue
  label=pg15; [ "$r" = embedded ] && grep -q '^embedded claim' "$PG" && label=embedded
  raw16=$(raw "$label" claim 16); gen16=$(raw "$label" claim-generic 16)
  k16=$(lvl "$r" claim 16 .requests_per_s)
  cpu16=$(lvl "$r" claim 16 .server.cpu_ms_per_request)
  empty=$(jq '[.levels[] | select(.phase == "claim" or .phase == "claim-bulk" or .phase == "mixed") | .empty_claims] | add' "$J")
  bulk99=$(lvl "$r" claim-bulk 16 .latency_ms.p99)
  up99=$(lvl "$r" upload 16 .latency_ms.p99)
  rss=$(jq '[.levels[].server.rss_max_mb.keydir // 0] | max | round' "$J")
  echo "**$r PostgreSQL**"
  echo
  echo "| target | measured | |"
  echo "|---|---|---|"
  echo "| claim ≥ 60% of raw claim tps at 16 clients | $(printf '%.0f' "$k16") req/s vs $(printf '%.0f' "$raw16") tps as keydir sends it = $(ratio "$k16" "$raw16"); vs $(printf '%.0f' "${gen16:-0}") tps plan cached = $(ratio "$k16" "$gen16") | $(verdict "$(awk -v a="$k16" -v b="$raw16" 'BEGIN{print (b > 0 && a / b >= 0.6) ? 1 : 0}')") |"
  echo "| server CPU per claim ≤ 0.5 ms (16 clients) | $cpu16 ms | $(verdict "$(awk -v a="$cpu16" 'BEGIN{print (a != "" && a <= 0.5) ? 1 : 0}')") |"
  echo "| zero empty claims while keys remain, every level | $empty | $(verdict "$([ "$empty" = 0 ] && echo 1)") |"
  echo "| bulk claim of $(jq -r .options.bulk "$J") devices: p99 < 50 ms at 16 clients | $bulk99 ms | $(verdict "$(awk -v a="$bulk99" 'BEGIN{print (a != "" && a < 50) ? 1 : 0}')") |"
  echo "| upload of $(jq -r .options.batch "$J") signed OTKs: p99 < 50 ms at 16 clients | $up99 ms | $(verdict "$(awk -v a="$up99" 'BEGIN{print (a != "" && a < 50) ? 1 : 0}')") |"
  echo "| keydir RSS under load < 400 MB | max $rss MB | $(verdict "$([ "$rss" -lt 400 ] && echo 1)") |"
  st=$(awk -v r="$r" '$1 == r {print $2}' "$D/startup.txt" | sort -n | tr '\n' ' ')
  worst=$(awk -v r="$r" '$1 == r {print $2}' "$D/startup.txt" | sort -n | tail -1)
  echo "| startup to /ready on an existing data folder < 5 s (JVM launch included) | ${st}ms | $(verdict "$([ "${worst:-99999}" -lt 5000 ] && echo 1)") |"
  echo
done

if [ -f "$D/external-generic/results.json" ]; then
  echo "## Experiment: the same keydir with plan_cache_mode=force_generic_plan on its database"
  echo
  echo "(\`ALTER DATABASE … SET plan_cache_mode = force_generic_plan\`; every statement's plan cached, not only the claim's: what is left to gain from plan caching.)"
  echo
  echo "| phase | clients | req/s default | req/s generic | × | p99 ms default | p99 ms generic | server CPU ms/req default | generic |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  jq -r '.levels[] | "\(.phase) \(.concurrency)"' "$D/external-generic/results.json" | while read -r ph c; do
    a=$(lvl external "$ph" "$c" .requests_per_s); b=$(lvl external-generic "$ph" "$c" .requests_per_s)
    printf '| %s | %s | %.0f | %.0f | %s | %s | %s | %s | %s |\n' "$ph" "$c" "$a" "$b" \
      "$(awk -v a="$a" -v b="$b" 'BEGIN{ if (a > 0) printf "%.2f", b / a; else printf "–" }')" \
      "$(lvl external "$ph" "$c" '.latency_ms.p99')" "$(lvl external-generic "$ph" "$c" '.latency_ms.p99')" \
      "$(lvl external "$ph" "$c" '.server.cpu_ms_per_request')" "$(lvl external-generic "$ph" "$c" '.server.cpu_ms_per_request')"
  done
  echo
fi

if [ -f "$D/alternation.txt" ]; then
  echo "## Single-device claims: keydir against the raw statement, alternated (external PostgreSQL 15)"
  echo
  echo "Each round: pgbench on the raw claim statement at every level, then keydir's bench at every level (one client JVM), round after round. The raw figures' spread over the rounds shows how noisy the machine was; the ratio is the median of each round's keydir / raw. The bench client's CPU per claim includes its share of the round's device setup (signing the uploaded keys)."
  echo
  echo "| clients | raw tps per round | keydir claims/s per round | keydir / raw, median | raw spread (max / min) | bench client CPU ms/claim | server CPU ms/claim |"
  echo "|---:|---|---|---:|---:|---|---|"
  for c in $levels; do
    python3 - "$D/alternation.txt" "$c" "$D/alternate" <<'PY'
import json, os, statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if not l.startswith("#") and l.split()[1] == sys.argv[2]]
def cpu(r, side):
    f = os.path.join(sys.argv[3], r[0], "results.json")
    try:
        lv = next(l for l in json.load(open(f))["levels"] if str(l["concurrency"]) == r[1])
        v = lv["client"]["cpu_ms_per_request"] if side == "client" else lv["server"].get("cpu_ms_per_request")
        return "–" if v is None else f"{v:.3f}"
    except (OSError, KeyError, IndexError, ValueError, StopIteration):
        return "–"
if rows:
    raw, k = [float(r[2]) for r in rows], [float(r[3]) for r in rows]
    ratio = statistics.median(b / a for a, b in zip(raw, k))
    print(f"| {sys.argv[2]} | {', '.join(f'{x:.0f}' for x in raw)} | {', '.join(f'{x:.0f}' for x in k)} | {100 * ratio:.0f}% | {max(raw) / min(raw):.2f}"
          f" | {', '.join(cpu(r, 'client') for r in rows)} | {', '.join(cpu(r, 'server') for r in rows)} |")
PY
  done
  echo
fi

if [ -f "$D/other/results.json" ] && [ -f "$D/external/results.json" ]; then
  echo "## keydir (external PostgreSQL 15) against the other server, same bench, same run"
  echo
  echo "| phase | clients | keydir req/s | other req/s | keydir p99 ms | other p99 ms | keydir server CPU ms/req | other server CPU ms/req |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  jq -r '.levels[] | "\(.phase) \(.concurrency)"' "$D/other/results.json" | while read -r ph c; do
    printf '| %s | %s | %.0f | %.0f | %s | %s | %s | %s |\n' "$ph" "$c" "$(lvl external "$ph" "$c" .requests_per_s)" \
      "$(lvl other "$ph" "$c" .requests_per_s)" "$(lvl external "$ph" "$c" .latency_ms.p99)" "$(lvl other "$ph" "$c" .latency_ms.p99)" \
      "$(lvl external "$ph" "$c" '.server.cpu_ms_per_request // "–"')" "$(lvl other "$ph" "$c" '.server.cpu_ms_per_request // "–"')"
  done
  echo
fi
