#!/usr/bin/env bash
# The keydir chaos harness (docs/testing.md "Chaos harness"): builds, then runs org.keydir.chaos.ChaosMain
# with the given options, e.g.
#   bench/chaos.sh --instances 3 --clients 64 --ops 1000000 --duration 40m --faults on
# Exit code: 0 no violation, 1 violations, 2 usage or harness failure.
set -euo pipefail
cd "$(dirname "$0")/.."
# the harness is in the tools module's tests, on the server's jar and test kit (built in the same reactor)
mvn -B -q -o -DskipTests -pl tools -am package dependency:build-classpath \
  -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
exec java ${CHAOS_JAVA_OPTS:--Xmx4g} -cp "$(cat tools/target/test-classpath.txt):tools/target/classes:tools/target/test-classes" \
  org.keydir.chaos.ChaosMain "$@"
