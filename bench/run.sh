#!/usr/bin/env bash
# The benchmark: one command, one machine, one run; writes bench/results.md (its "## History" section is kept). About a minute
# (most of it creating the 1,000,000-row database). Needs Java 17 and Maven; uses psql and /usr/bin/time when present.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
[ -f target/vccheck.jar ] || mvn -B -q -DskipTests package
./vccheck --version > /dev/null   # writes the class-data-sharing archive used by the timed runs
history="$(sed -n '/^## History/,$p' bench/results.md 2> /dev/null || true)"
{
  echo "# vccheck benchmark"
  echo
  echo "$(date -u +%Y-%m-%d), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | sed -n 1p), PostgreSQL 16 (embedded, stand-in extensions)."
  echo
  java -cp target/vccheck.jar bench/Bench.java "$here" 2>/dev/null
  if [ -n "$history" ]; then echo; echo "$history"; fi
} > bench/results.md.new
mv bench/results.md.new bench/results.md
cat bench/results.md
