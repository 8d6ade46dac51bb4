#!/usr/bin/env bash
# Builds the SeaweedFS test server (Apache-2.0) from the Go module proxy into .tools/ (WRAPPED_ETL_TEST_TOOLS)
# once, ~5 min on 2 cores; later runs reuse it and print its path. `go install` refuses this module (its go.mod
# has a replace directive), so it is built from the downloaded module. Its go.mod asks for Go 1.26.6: an older
# go fetches that toolchain from the module proxy itself.
set -euo pipefail
cd "$(dirname "$0")/../.."
VERSION=v0.0.0-20261109003541-7506e5f91cd6
OUT="${WRAPPED_ETL_TEST_TOOLS:-.tools}/seaweedfs-${VERSION}"
if [ -x "$OUT/weed" ]; then echo "$OUT/weed"; exit 0; fi
command -v go >/dev/null 2>&1 || { echo "go is missing: the S3 tests build their SeaweedFS server with Go (README: Needs)" >&2; exit 1; }
DIR=$(go mod download -json "github.com/seaweedfs/seaweedfs@${VERSION}" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
mkdir -p "$OUT"
ABS_OUT="$(cd "$OUT" && pwd)"
( cd "$DIR" && CGO_ENABLED=0 go build -mod=readonly -ldflags="-s -w" -o "$ABS_OUT/weed.partial" ./weed )
mv "$ABS_OUT/weed.partial" "$ABS_OUT/weed"
echo "$OUT/weed"
