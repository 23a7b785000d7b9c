#!/usr/bin/env bash
# Builds the pinned k6 (scripts/k6-version) with `go install` for tests, CI and the demo,
# where GitHub release downloads are not reachable. Idempotent: an existing binary of the
# right version is reused. Prints the k6 path as its last line; put its folder on PATH or
# export PERFGATE_K6=<path>.
#   scripts/install-k6.sh            # into ${PERFGATE_BIN:-$HOME/.cache/perfgate/bin}
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version="$(tr -d '[:space:]' < "$here/k6-version")"
bin="${PERFGATE_BIN:-$HOME/.cache/perfgate/bin}"
k6="$bin/k6"
if [ -x "$k6" ] && "$k6" version 2>/dev/null | grep -q "k6 v$version "; then
  echo "$k6"
  exit 0
fi
command -v go >/dev/null || { echo "install-k6: Go is needed to build k6 v$version (https://go.dev/dl/)" >&2; exit 1; }
mkdir -p "$bin"
echo "install-k6: building k6 v$version with go install (a few minutes the first time)…" >&2
GOBIN="$bin" go install "go.k6.io/k6@v$version" >&2
"$k6" version >&2
echo "$k6"
