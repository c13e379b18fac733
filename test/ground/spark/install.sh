#!/usr/bin/env bash
# Makes the test ground's Spark side: a venv with pyspark and delta-spark (requirements.txt), kept
# apart from the base venv so that one stays small, and the delta-spark jars from Maven Central.
# Spark is never left to resolve packages itself: sessions get these jars with spark.jars.
# The venv is keyed by the hash of requirements.txt, the jars by the Delta version; idempotent.
# Prints the venv path, then the jars folder, on its last two lines.
set -euo pipefail

delta_version=4.0.1
# the Spark release delta-spark $delta_version is built against; requirements.txt pins pyspark to it
spark_version=4.0.1
jars=(
  "io.delta:delta-spark_2.13:$delta_version a1e76860b19fe1e6b205a4ea7a9099a2f9575d39bb71d49b3e679b299d0efb91"
  "io.delta:delta-storage:$delta_version ecc42c5aaa51c423312d9e4e48aa4a12b34740bf2c37de0e8f279277ec3d12e4"
)

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
requirements="$here/requirements.txt"
cache="${DSO_CACHE:-$HOME/.cache/delta-sharing-operator}"
python="${DSO_PYTHON:-python3}"

for tool in java mvn flock sha256sum; do
  command -v "$tool" >/dev/null || { echo "spark: $tool is required but not installed" >&2; exit 1; }
done

hash="$(sha256sum "$requirements" | cut -c1-16)"
venv="$cache/spark-venv-$hash"
jar_dir="$cache/spark-jars-delta-$delta_version"

finished() {
  [[ -f "$venv/.installed" && -f "$jar_dir/.installed" ]] || return 1
  echo "$venv"
  echo "$jar_dir"
}

finished && exit 0
mkdir -p "$cache"
exec 9>"$cache/spark-$hash.lock"
flock -w 1800 9 || { echo "spark: timed out waiting for $cache/spark-$hash.lock" >&2; exit 1; }
finished && exit 0

if [[ ! -f "$jar_dir/.installed" ]]; then
  rm -rf "$jar_dir"
  mkdir -p "$jar_dir"
  for entry in "${jars[@]}"; do
    coordinates="${entry% *}"
    sha256="${entry#* }"
    IFS=: read -r group artifact version <<<"$coordinates"
    echo "spark: resolving $coordinates from Maven Central" >&2
    mvn -B -q -C -Dmaven.repo.local="$cache/m2" dependency:get \
      -Dartifact="$coordinates" -Dtransitive=false >&2
    jar="$cache/m2/${group//.//}/$artifact/$version/$artifact-$version.jar"
    echo "$sha256  $jar" | sha256sum --check --quiet - >&2
    cp "$jar" "$jar_dir/"
  done
  touch "$jar_dir/.installed"
fi

if [[ ! -f "$venv/.installed" ]]; then
  version="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
  case "$version" in
    3.1[1-9]) ;;
    *) echo "spark: need Python >= 3.11, $python is $version" >&2; exit 1 ;;
  esac
  rm -rf "$venv"
  echo "spark venv: creating $venv with $python ($version)" >&2
  "$python" -m venv "$venv"
  # pyspark is published as a source archive only: keep a wheelhouse with the wheel built once.
  wheels="$cache/spark-wheels-$hash"
  if [[ ! -f "$wheels/.complete" ]]; then
    count=$(grep -c '==' "$requirements")
    echo "spark venv: downloading and building $count pinned packages (pyspark is ~430 MB)" >&2
    "$venv/bin/python" -m pip wheel --quiet --disable-pip-version-check --no-deps \
      --cache-dir "$cache/pip-cache" --wheel-dir "$wheels" --requirement "$requirements"
    touch "$wheels/.complete"
  fi
  echo "spark venv: installing from $wheels" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-compile \
    --no-index --find-links "$wheels" --requirement "$requirements"
  "$venv/bin/python" -m compileall -q -j 0 -x '/tests?/' "$venv/lib" >/dev/null || true
  "$venv/bin/python" -c 'import pyspark, delta; assert pyspark.__version__ == "'"$spark_version"'"'
  touch "$venv/.installed"
fi

echo "spark: ready" >&2
finished
