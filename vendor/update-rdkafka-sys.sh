#!/usr/bin/env bash
# Re-creates vendor/rdkafka-sys: downloads the published rdkafka-sys crate of
# the given version from crates.io, checks it against the checksum the
# crates.io index gives for that version, drops the parts of librdkafka its
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
curl -sSfL -o "$tmp/index" "https://index.crates.io/rd/ka/rdkafka-sys"
expected=$(python3 - "$tmp/index" "$version" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    entry = json.loads(line)
    if entry["vers"] == sys.argv[2]:
        print(entry["cksum"])
PY
)
actual=$(sha256sum "$tmp/crate.tar.gz" | cut -d' ' -f1)
if [[ -z "$expected" || "$expected" != "$actual" ]]; then
  echo "checksum mismatch: the crates.io index has '${expected}', the download is $actual" >&2
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
