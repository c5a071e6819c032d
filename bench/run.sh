#!/usr/bin/env bash
# The benchmark: one command, one machine, one run; writes bench/results.md (every "## " section after the generated
# table, the profile and the history, is kept). A few minutes (creating the 1,000,000-row database, then 11 interleaved
# rounds of every command). Needs Java 17 and Maven; uses Java 25 (VCCHECK_BENCH_JAVA25, else a JDK 25+ under
# /usr/lib/jvm or /opt), psql and /usr/bin/time (Debian's `time`) when present.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
{ [ -f target/vccheck.jar ] && ls target/bench/postgresql-*.jar > /dev/null 2>&1; } || mvn -B -q -DskipTests package
./vccheck --version > /dev/null   # trains the default Java's archive (Bench trains Java 25's cache the same way)
kept="$(sed -n '/^## /,$p' bench/results.md 2> /dev/null || true)"
java25="$(java -cp target/vccheck.jar bench/Bench.java --find-java25 2> /dev/null || true)"
{
  echo "# vccheck benchmark"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | sed -n 1p)${java25:+ and $("$java25" -version 2>&1 | sed -n 1p)}, PostgreSQL 16 (embedded, stand-in extensions)."
  echo
  java -cp target/vccheck.jar bench/Bench.java "$here" 2>/dev/null
  if [ -n "$kept" ]; then echo; echo "$kept"; fi
} > bench/results.md.new
mv bench/results.md.new bench/results.md
cat bench/results.md
