#!/usr/bin/env bash
# Re-creates vendor/rdkafka-sys: downloads the published rdkafka-sys crate of
# the given version from crates.io, checks it against Cargo.lock's checksum
# when the lock file names that version, drops the parts of librdkafka its
# build does not read (tests, examples, packaging, Windows and Debian files),
# and applies vendor/patches/*.patch in name order.
#
#   vendor/update-rdkafka-sys.sh 4.10.0+2.12.1
#
# After a version change: update `rdkafka-sys` in the root Cargo.toml, run
# `cargo update -p rdkafka-sys`, and check that every patch still applies.
set -euo pipefail
version=${1:?usage: $0 VERSION (e.g. 4.10.0+2.12.1)}
here=$(cd "$(dirname "$0")" && pwd)
dst="$here/rdkafka-sys"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

curl -sSfL -o "$tmp/crate.tar.gz" "https://static.crates.io/crates/rdkafka-sys/rdkafka-sys-${version/+/%2B}.crate"
locked=$(awk -v v="$version" '
  $0 == "name = \"rdkafka-sys\"" { hit = 1; next }
  hit && $0 == "version = \"" v "\"" { ok = 1; next }
  hit && ok && /^checksum = / { gsub(/checksum = |"/, ""); print; exit }
  /^$/ { hit = 0; ok = 0 }' "$here/../Cargo.lock")
actual=$(sha256sum "$tmp/crate.tar.gz" | cut -d' ' -f1)
if [[ -n "$locked" && "$locked" != "$actual" ]]; then
  echo "checksum mismatch: Cargo.lock has $locked, the download is $actual" >&2
  exit 1
fi

tar -xzf "$tmp/crate.tar.gz" -C "$tmp"
src="$tmp/rdkafka-sys-$version"
rm -rf "$src"/librdkafka/{tests,examples,debian,win32,.github,.semaphore}
find "$src/librdkafka/packaging" -mindepth 1 -not -name get_version.py -delete
for p in "$here"/patches/*.patch; do
  patch --quiet -d "$src" -p1 <"$p"
done
rm -rf "$dst"
mv "$src" "$dst"
echo "vendor/rdkafka-sys is rdkafka-sys $version (crate sha256 $actual) with $(ls "$here"/patches/*.patch | wc -l) patch(es)"
