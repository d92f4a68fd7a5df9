#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Installs the Debian packages listed in scripts/deps.txt that are not installed yet.
#
#   scripts/deps.sh            every group
#   scripts/deps.sh build      only the named groups
#
# BASKET_DEPS_DRY_RUN=1 prints the apt-get commands instead of running them.
#
# Quiet when nothing is missing. Runs apt-get as root, or through sudo when not root;
# `apt-get update` runs only when something has to be installed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
list=${BASKET_DEPS_LIST:-$here/deps.txt}
dry_run=${BASKET_DEPS_DRY_RUN:-0} # 1: print what would be installed

want_group() {
    local g=$1 w
    if [[ ${#groups[@]} -eq 0 ]]; then
        return 0
    fi
    for w in "${groups[@]}"; do
        [[ $w == "$g" ]] && return 0
    done
    return 1
}

# "pkg" is installed when dpkg says so; "pkg@cmd" also when cmd is on PATH.
installed() {
    local pkg=${1%%@*} cmd status
    if [[ $1 == *@* ]]; then
        cmd=${1#*@}
        command -v "$cmd" >/dev/null 2>&1 && return 0
    fi
    status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null) || return 1
    [[ $status == installed ]]
}

groups=("$@")
declare -a missing_groups=()
declare -A missing_pkgs=()
while read -r group pkgs; do
    [[ -z $group || $group == \#* ]] && continue
    want_group "$group" || continue
    miss=()
    for p in $pkgs; do
        installed "$p" || miss+=("${p%%@*}")
    done
    if [[ ${#miss[@]} -gt 0 ]]; then
        missing_groups+=("$group")
        missing_pkgs[$group]="${miss[*]}"
    fi
done <"$list"

if [[ ${#missing_groups[@]} -eq 0 ]]; then
    exit 0
fi

if [[ $(id -u) -eq 0 || $dry_run == 1 ]]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
else
    echo "deps: missing packages and not root (no sudo): ${missing_pkgs[*]}" >&2
    exit 1
fi

# apt's progress goes to /dev/null; its errors (stderr) stay visible.
apt_get() {
    if [[ $dry_run == 1 ]]; then
        echo "[dry-run] ${as_root[*]} apt-get $*"
        return 0
    fi
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "$@" >/dev/null
}

export DEBIAN_FRONTEND=noninteractive
echo "deps: apt-get update"
apt_get update -qq
for g in "${missing_groups[@]}"; do
    echo "deps: installing $g packages: ${missing_pkgs[$g]}"
    # shellcheck disable=SC2086 # the package list splits into words on purpose
    apt_get install -y -qq ${missing_pkgs[$g]}
done
