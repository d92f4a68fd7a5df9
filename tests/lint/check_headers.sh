#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Each public module header compiles on its own: a .c file that includes only that header
# (twice, to check the include guard) builds with the project's warning flags and -Werror.
#
# Usage: check_headers.sh <repo-root> <cc> [flags...]
#   flags are the project's warnings (CMake passes bk_warnings' options).
set -euo pipefail

root=$(cd "$1" && pwd)
cc=$2
shift 2
flags=("$@")

tmp=$(mktemp -d "${TMPDIR:-/tmp}/basket-headers-XXXXXX")
trap 'rm -rf "$tmp"' EXIT

failed=0
checked=()
for mod in common storage loaders query protocol analytics; do
    hdr="$mod/$mod.h"
    [[ -f $root/$hdr ]] || continue
    src="$tmp/hdr_$mod.c"
    printf '#include "%s"\n#include "%s"\n' "$hdr" "$hdr" >"$src"
    if ! out=$("$cc" -std=c17 -D_GNU_SOURCE "${flags[@]}" -Werror -fsyntax-only \
        -I "$root" -c "$src" 2>&1); then
        echo "FAIL: $hdr does not compile on its own:"
        echo "$out"
        failed=1
    else
        checked+=("$hdr")
    fi
done

if [[ $failed != 0 ]]; then
    exit 1
fi
echo "check_headers: ok (${checked[*]})"
