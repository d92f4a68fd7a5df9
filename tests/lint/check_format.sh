#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# clang-format 14 --dry-run --Werror over every tracked *.c and *.h file (git ls-files, so
# untracked work in progress is not judged), with the repository's .clang-format.
# Exit 77 (ctest: skipped) when clang-format or git is missing, or outside a git checkout.
# Fix with `make format`.
#
# Usage: check_format.sh [repo-root]
set -euo pipefail

root=$(cd "${1:-$(dirname "${BASH_SOURCE[0]}")/../..}" && pwd)
cf=${CLANG_FORMAT:-$(command -v clang-format-14 || command -v clang-format || true)}
if [[ -z $cf ]]; then
    echo "SKIP: clang-format not found (make deps installs it)"
    exit 77
fi
if ! command -v git >/dev/null 2>&1 || ! git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
    echo "SKIP: $root is not a git checkout"
    exit 77
fi
version=$("$cf" --version)
if [[ $version != *" 14."* ]]; then
    echo "note: STYLE.md pins clang-format 14; using: $version"
fi

cd "$root"
mapfile -d '' files < <(git ls-files -z -- '*.c' '*.h')
if [[ ${#files[@]} -eq 0 ]]; then
    echo "check_format: no tracked C files yet"
    exit 0
fi
bad=()
for f in "${files[@]}"; do
    [[ -f $f ]] || continue # deleted in the work tree
    if ! "$cf" --style=file --dry-run --Werror "$f" >/dev/null 2>&1; then
        bad+=("$f")
    fi
done
if [[ ${#bad[@]} -gt 0 ]]; then
    for f in "${bad[@]}"; do
        echo "not clang-formatted: $f"
        "$cf" --style=file --dry-run "$f" 2>&1 | head -n 12 || true
    done
    echo "check_format: ${#bad[@]} of ${#files[@]} file(s) need \`make format\`"
    exit 1
fi
echo "check_format: ok (${#files[@]} files)"
