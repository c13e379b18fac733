#!/usr/bin/env bash
# Installs S3Proxy (Apache-2.0, org.gaul:s3proxy on Maven Central), the S3 server of the test ground:
# it checks SigV4 in Authorization headers and in presigned query strings and refuses expired URLs.
# Idempotent and cached under $DSO_CACHE keyed by version. Progress goes to stderr. Stdout gets the
# path of the runnable jar, then (when one could be made) the path of a class-data-sharing archive
# for this JVM, which halves the server's start time; pass it as -XX:SharedArchiveFile.
set -euo pipefail

version=4.0.0
sha256=8842c29ef4cf50c2488cff1da23df3428526c10905998384586e916cc98a2c67
# The archive is made with these options; starting with the same ones lets the JVM use all of it.
jvm_options=(-Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1)

cache="${DSO_CACHE:-$HOME/.cache/delta-sharing-operator}"
dir="$cache/s3proxy-$version"
jar="$dir/s3proxy-$version.jar"

for tool in java mvn flock sha256sum; do
  command -v "$tool" >/dev/null || { echo "s3proxy: $tool is required but not installed" >&2; exit 1; }
done

# An archive only fits the JVM that wrote it.
jvm_key=$( { readlink -f "$(command -v java)"; java -version 2>&1; } | sha256sum | cut -c1-12)
archive="$dir/cds-$jvm_key.jsa"

done_already() {
  [[ -f "$jar" && (-f "$archive" || -f "$archive.failed") ]] || return 1
  echo "$jar"
  [[ -f "$archive" ]] && echo "$archive"
  return 0
}

done_already && exit 0

mkdir -p "$dir"
# Test files may start in parallel on a cold cache: one installs, the others wait for it.
exec 9>"$dir.lock"
flock -w 600 9 || { echo "s3proxy: timed out waiting for another install" >&2; exit 1; }
done_already && exit 0

if [[ ! -f "$jar" ]]; then
  echo "s3proxy $version: resolving from Maven Central" >&2
  repo="$cache/m2"
  mvn -B -q -C -Dmaven.repo.local="$repo" dependency:get \
    -Dartifact="org.gaul:s3proxy:$version:jar:jar-with-dependencies" -Dtransitive=false >&2
  downloaded="$repo/org/gaul/s3proxy/$version/s3proxy-$version-jar-with-dependencies.jar"
  echo "s3proxy $version: checking sha256" >&2
  echo "$sha256  $downloaded" | sha256sum --check --quiet - >&2
  mv "$downloaded" "$jar.partial"
  mv "$jar.partial" "$jar"
fi

# One start and stop of the server, recording the classes it loads.
echo "s3proxy $version: writing a class-data-sharing archive for this JVM" >&2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/data"
cat >"$work/s3proxy.conf" <<CONF
s3proxy.endpoint=http://127.0.0.1:0
s3proxy.authorization=aws-v4
s3proxy.identity=archive
s3proxy.credential=archive-run-only
jclouds.provider=filesystem-nio2
jclouds.filesystem.basedir=$work/data
CONF
rm -f "$archive.partial"
LOG_LEVEL=info java "${jvm_options[@]}" -XX:ArchiveClassesAtExit="$archive.partial" \
  -jar "$jar" --properties "$work/s3proxy.conf" >"$work/log" 2>&1 &
pid=$!
for _ in $(seq 600); do
  grep -q 'Started .*Server@' "$work/log" && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
kill -TERM "$pid" 2>/dev/null || true
wait "$pid" || true
if [[ -s "$archive.partial" ]]; then
  mv "$archive.partial" "$archive"
else
  echo "s3proxy: no archive written (the server still runs, only slower to start):" >&2
  tail -20 "$work/log" >&2
  touch "$archive.failed"
fi

echo "s3proxy $version: installed" >&2
echo "$jar"
[[ -f "$archive" ]] && echo "$archive"
exit 0
