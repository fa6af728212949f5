#!/usr/bin/env bash
# bench/jmh.sh [JMH options] — keydir's JMH micro-benchmarks (server/src/test/java/org/keydir/jmh), e.g.
#   bench/jmh.sh SignatureVerificationBench
# Builds the test classes, then runs JMH on them; results as JMH prints them (and -rf json -rff FILE).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -pl server test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/jmh.classpath
exec java -cp "server/target/test-classes:server/target/classes:$(cat server/target/jmh.classpath)" org.openjdk.jmh.Main "$@"
