#!/bin/sh
# The house plan (scripts/check-layout.sh, Documentation/layout.md) on the
# source tree and its build: private headers, include loops, call loops.
here=$(cd "$(dirname "$0")" && pwd)
root=$(git -C "$here" rev-parse --show-toplevel 2>/dev/null || pwd)
exec "$root/scripts/check-layout.sh" "${BUILD:-$here/..}"
