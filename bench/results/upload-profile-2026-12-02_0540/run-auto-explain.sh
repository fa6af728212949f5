#!/usr/bin/env bash
# ad-hoc, as run for auto-explain.txt: run.sh here with auto_explain loaded, the server log kept,
# and keydir's jar given by JAR_OVERRIDE (the jar of 7316acc), e.g.
#   JAR_OVERRIDE=/path/to/7316acc/keydir.jar LEVELS=1 OUT=/tmp/ae bench/results/upload-profile-2026-12-02_0540/run-auto-explain.sh
set -euo pipefail
here=$(dirname "$0")
sed -e 's|^JAR=$PWD/server/target/keydir.jar|JAR=${JAR_OVERRIDE:-$PWD/server/target/keydir.jar}|' \
    -e 's|-c shared_preload_libraries=pg_stat_statements ${PGSET:-}|-c shared_preload_libraries=pg_stat_statements,auto_explain -c auto_explain.log_min_duration=0.9ms -c auto_explain.log_nested_statements=on ${PGSET:-}|' \
    -e 's|^wait $bench \|\| true|cp $WORK/pg/server.log $OUT/server.log\nwait $bench \|\| true|' \
    "$here/run.sh" > /tmp/upload-profile-auto-explain.sh
exec bash /tmp/upload-profile-auto-explain.sh
