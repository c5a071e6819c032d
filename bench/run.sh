#!/usr/bin/env bash
# The benchmark (SPEC §10): one command, one machine, one run; writes bench/results.md. Takes about a minute
# (most of it creating the 1,000,000-row database). Needs Java 17 and Maven; uses psql and /usr/bin/time when present.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
[ -f target/vccheck.jar ] || mvn -B -q -DskipTests package
./vccheck --version > /dev/null   # writes the class-data-sharing archive used by the timed runs
{
  echo "# vccheck benchmark"
  echo
  echo "$(date -u +%Y-%m-%d), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | sed -n 1p), PostgreSQL 16 (embedded, stand-in extensions)."
  echo
  java -cp target/vccheck.jar bench/Bench.java "$here" 2>/dev/null
} > bench/results.md
cat bench/results.md
