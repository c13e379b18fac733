#!/usr/bin/env bash
# Resolves the reference Delta Sharing server (io.delta:delta-sharing-server_2.12, Apache-2.0, the
# Scala server of delta-io/delta-sharing) and its dependencies from Maven Central into a classpath
# cached under $DSO_CACHE, for the side-by-side benchmarks only: nothing of it enters the repository.
# Stdout gets one line: the classpath (main class io.delta.sharing.server.DeltaSharingService).
# Progress goes to stderr. Exit 3 when no version is served (the benchmark then runs ours alone).
#
# DSO_REFERENCE_LIB=<folder of jars> (for example lib/ of the server's release zip) skips Maven;
# so does DSO_REFERENCE_LIB=<classpath file>: jar paths in order, one a line or ':'-separated
# (blank lines and # comments skipped), for a classpath whose order matters.
set -euo pipefail

# Newest first; the first that resolves is used.
versions=(1.4.1 1.4.0 1.3.11 1.3.9)
# delta-standalone is "provided" in the server's POM, so it is named here; version as in its build.
standalone=3.2.0

if [[ -n "${DSO_REFERENCE_LIB:-}" && -f "$DSO_REFERENCE_LIB" ]]; then
  classpath=$(grep -v '^[[:space:]]*\(#\|$\)' "$DSO_REFERENCE_LIB" | tr '\n' ':' | sed -e 's/::*/:/g' -e 's/^://' -e 's/:$//')
  [[ -n "$classpath" ]] || { echo "reference: no entries in $DSO_REFERENCE_LIB" >&2; exit 1; }
  IFS=: read -r -a entries <<<"$classpath"
  for entry in "${entries[@]}"; do
    [[ -e "$entry" || "$entry" == */\* ]] || { echo "reference: $entry (from $DSO_REFERENCE_LIB) does not exist" >&2; exit 1; }
  done
  echo "$classpath"
  exit 0
fi
if [[ -n "${DSO_REFERENCE_LIB:-}" ]]; then
  compgen -G "$DSO_REFERENCE_LIB/*.jar" >/dev/null || { echo "reference: no jars in $DSO_REFERENCE_LIB" >&2; exit 1; }
  echo "$DSO_REFERENCE_LIB/*"
  exit 0
fi

for tool in java mvn flock; do
  command -v "$tool" >/dev/null || { echo "reference: $tool is required but not installed" >&2; exit 1; }
done

cache="${DSO_CACHE:-$HOME/.cache/delta-sharing-operator}"
repo="$cache/m2"

for version in "${versions[@]}"; do
  dir="$cache/delta-sharing-server-$version"
  if [[ -f "$dir/classpath.txt" ]]; then
    cat "$dir/classpath.txt"
    exit 0
  fi
done

# A refusal is remembered for a day, so that every benchmark run does not ask again.
refused="$cache/delta-sharing-server.refused"
if [[ -f "$refused" && -z "$(find "$refused" -mmin +1440)" ]]; then
  echo "reference: not served ($(cat "$refused")); asked less than a day ago, rm $refused to ask again" >&2
  exit 3
fi

mkdir -p "$cache"
exec 9>"$cache/delta-sharing-server.lock"
flock -w 900 9 || { echo "reference: timed out waiting for another install" >&2; exit 1; }

for version in "${versions[@]}"; do
  dir="$cache/delta-sharing-server-$version"
  [[ -f "$dir/classpath.txt" ]] && { cat "$dir/classpath.txt"; exit 0; }
  echo "reference: resolving io.delta:delta-sharing-server_2.12:$version" >&2
  if ! log=$(mvn -B -q -C -Dmaven.repo.local="$repo" dependency:get \
    -Dartifact="io.delta:delta-sharing-server_2.12:$version:pom" -Dtransitive=false 2>&1); then
    if grep -q "not found\|Could not find" <<<"$log"; then
      echo "reference: $version is not served (Maven Central has no such artifact here)" >&2
    else
      echo "reference: $version did not resolve: ${log##*$'\n'}" >&2
    fi
    continue
  fi
  mkdir -p "$dir"
  cat >"$dir/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.bench</groupId>
  <artifactId>reference-classpath</artifactId>
  <version>1</version>
  <dependencies>
    <dependency>
      <groupId>io.delta</groupId>
      <artifactId>delta-sharing-server_2.12</artifactId>
      <version>$version</version>
    </dependency>
    <dependency>
      <groupId>io.delta</groupId>
      <artifactId>delta-standalone_2.12</artifactId>
      <version>$standalone</version>
    </dependency>
  </dependencies>
</project>
POM
  echo "reference: resolving the dependencies of $version (a few hundred MB the first time)" >&2
  mvn -B -q -C -Dmaven.repo.local="$repo" -f "$dir/pom.xml" dependency:build-classpath \
    -Dmdep.outputFile="$dir/classpath.partial" >&2
  mv "$dir/classpath.partial" "$dir/classpath.txt"
  echo "reference: delta-sharing-server $version installed" >&2
  cat "$dir/classpath.txt"
  exit 0
done

echo "io.delta:delta-sharing-server_2.12 ${versions[*]} refused $(date -u +%FT%TZ)" >"$refused"
echo "reference: no version of io.delta:delta-sharing-server_2.12 (${versions[*]}) is served by the registry" >&2
exit 3
