#!/usr/bin/env bash
# Re-creates vendor/rdkafka-sys: the published rdkafka-sys crate of the given
# version, fetched by cargo (which checks it against the registry index's
# checksum), drops the parts of librdkafka its
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

# A throwaway package whose one dependency is the crate: `cargo fetch` puts
# the source, checked against the registry index's checksum, under
# $CARGO_HOME/registry/src.
mkdir -p "$tmp/fetch/src"
touch "$tmp/fetch/src/lib.rs"
cat >"$tmp/fetch/Cargo.toml" <<TOML
[package]
name = "fetch-rdkafka-sys"
version = "0.0.0"
edition = "2021"
[dependencies]
rdkafka-sys = "=$version"
TOML
cargo fetch --quiet --manifest-path "$tmp/fetch/Cargo.toml"
registry_src=$(find "${CARGO_HOME:-$HOME/.cargo}/registry/src" -maxdepth 2 -type d -name "rdkafka-sys-$version" | head -n1)
[[ -n "$registry_src" ]] || { echo "cargo fetched no rdkafka-sys $version" >&2; exit 1; }
cp -a "$registry_src" "$tmp/rdkafka-sys-$version"
rm -f "$tmp/rdkafka-sys-$version/.cargo-ok"
src="$tmp/rdkafka-sys-$version"
rm -rf "$src"/librdkafka/{tests,examples,debian,win32,.github,.semaphore}
find "$src/librdkafka/packaging" -mindepth 1 -not -name get_version.py -delete
for p in "$here"/patches/*.patch; do
  patch --quiet -d "$src" -p1 <"$p"
done
rm -rf "$dst"
mv "$src" "$dst"
echo "vendor/rdkafka-sys is rdkafka-sys $version with $(ls "$here"/patches/*.patch | wc -l) patch(es)"
