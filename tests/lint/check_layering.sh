#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Rejects #include lines that cross the module layering of STYLE.md section 1:
#
#   module     may include the public header <mod>/<mod>.h of
#   common     (none)
#   storage    common
#   loaders    storage common
#   query      storage common
#   analytics  query storage common
#   protocol   query common           (storage data types come re-exported by query.h)
#   server     every module
#
# Besides "common/common.h" and those public headers, a module includes only its own files,
# relative to the including file or to the module's root ("storage_int.h",
# "kernels/kernels_int.h"). A private header (*_int.h) is never included from another
# module's directory. Third-party headers stay in the module that owns the dependency
# (<xxhash.h>, <liburing.h> in common; <lz4*.h> in storage; <pg_query.h> in query;
# <openssl/...> in protocol and server; <cmocka.h> only in tests).
#
# Usage: check_layering.sh [repo-root]. Prints file:line for each violation; exit 1 if any.
set -euo pipefail

root=$(cd "${1:-$(dirname "${BASH_SOURCE[0]}")/../..}" && pwd)
modules=(common storage loaders query analytics protocol server)

declare -A deps=(
    [common]=""
    [storage]="common"
    [loaders]="storage common"
    [query]="storage common"
    [analytics]="query storage common"
    [protocol]="query common"
    [server]="common storage loaders query analytics protocol"
)

# Owner modules of third-party headers (regex on the name inside <>).
third_party_owner() {
    case $1 in
    xxhash.h | liburing.h | liburing/*) echo common ;;
    lz4.h | lz4frame.h | lz4hc.h) echo storage ;;
    pg_query.h | pg_query/*) echo query ;;
    openssl/*) echo "protocol server" ;;
    cmocka.h) echo "-" ;; # tests only
    *) echo "*" ;;
    esac
}

is_module() {
    local m
    for m in "${modules[@]}"; do
        [[ $m == "$1" ]] && return 0
    done
    return 1
}

may_depend() { # may_depend <from> <to>
    [[ $1 == "$2" ]] && return 0
    local d
    for d in ${deps[$1]}; do
        [[ $d == "$2" ]] && return 0
    done
    return 1
}

violations=0
report() { # report <file> <line> <message>
    echo "$1:$2: $3"
    violations=$((violations + 1))
}

dirs=()
for m in "${modules[@]}"; do
    [[ -d $root/$m ]] && dirs+=("$m")
done
if [[ ${#dirs[@]} -eq 0 ]]; then
    echo "check_layering: no module directories under $root" >&2
    exit 1
fi

cd "$root"
while IFS= read -r hit; do
    file=${hit%%:*}
    rest=${hit#*:}
    line=${rest%%:*}
    text=${rest#*:}
    mod=${file%%/*}
    if [[ $text =~ ^[[:space:]]*#[[:space:]]*include[[:space:]]*\"([^\"]+)\" ]]; then
        inc=${BASH_REMATCH[1]}
        quoted=1
    elif [[ $text =~ ^[[:space:]]*#[[:space:]]*include[[:space:]]*\<([^\>]+)\> ]]; then
        inc=${BASH_REMATCH[1]}
        quoted=0
    else
        continue
    fi

    if [[ $quoted == 0 ]]; then
        first=${inc%%/*}
        if [[ $inc == */* ]] && is_module "$first"; then
            report "$file" "$line" "<$inc>: include project headers with quotes"
            continue
        fi
        owners=$(third_party_owner "$inc")
        if [[ $owners == "*" ]]; then
            continue
        fi
        ok=0
        for o in $owners; do
            [[ $o == "$mod" ]] && ok=1
        done
        if [[ $ok == 0 ]]; then
            if [[ $owners == "-" ]]; then
                report "$file" "$line" "<$inc> belongs in tests only"
            else
                report "$file" "$line" "<$inc> may be included only in: $owners (wrap it there)"
            fi
        fi
        continue
    fi

    # Another module's public header, named from the repository root.
    first=${inc%%/*}
    if [[ $inc == */* ]] && is_module "$first" && [[ ! -e $(dirname "$file")/$inc ]] &&
        [[ ! -e $mod/$inc ]]; then
        if [[ $inc == "$first/$first.h" ]]; then
            if ! may_depend "$mod" "$first"; then
                report "$file" "$line" "\"$inc\": $mod may not depend on $first (allowed: ${deps[$mod]:-none})"
            fi
        elif [[ $inc == *_int.h ]]; then
            report "$file" "$line" "\"$inc\": private header of $first (only $first/ may include it)"
        else
            report "$file" "$line" "\"$inc\": only $first/$first.h is public"
        fi
        continue
    fi

    # A file of the module itself: relative to the including file, or to the module root.
    target=""
    for cand in "$(dirname "$file")/$inc" "$mod/$inc"; do
        if [[ -e $cand ]]; then
            target=$(realpath -m -s --relative-to="$root" "$cand")
            break
        fi
    done
    if [[ -z $target ]]; then
        # Not in the tree (generated, or a typo the compiler will catch); judge by name only.
        target=$(realpath -m -s --relative-to="$root" "$(dirname "$file")/$inc")
        if [[ $target != "$mod"/* ]]; then
            report "$file" "$line" "\"$inc\": resolves outside $mod/"
        fi
        continue
    fi
    tmod=${target%%/*}
    if [[ $tmod != "$mod" ]]; then
        if [[ $target == *_int.h ]]; then
            report "$file" "$line" "\"$inc\": private header $target of another module"
        elif [[ $target == "$tmod/$tmod.h" ]] && is_module "$tmod"; then
            if ! may_depend "$mod" "$tmod"; then
                report "$file" "$line" "\"$inc\": $mod may not depend on $tmod"
            else
                report "$file" "$line" "\"$inc\": name it \"$tmod/$tmod.h\""
            fi
        else
            report "$file" "$line" "\"$inc\": $target is outside $mod/"
        fi
    fi
done < <(grep -rnE --include='*.c' --include='*.h' --include='*.def' --include='*.inc' \
    '^[[:space:]]*#[[:space:]]*include' "${dirs[@]}" | sort -t: -k1,1 -k2,2n)

if [[ $violations -gt 0 ]]; then
    echo "check_layering: $violations violation(s) of the layering rules (STYLE.md section 1)"
    exit 1
fi
echo "check_layering: ok (${dirs[*]})"
