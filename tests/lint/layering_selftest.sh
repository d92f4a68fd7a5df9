#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Checks check_layering.sh itself on a throw-away tree: every allowed include passes and every
# kind of violation is reported with its file:line.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/basket-layering-XXXXXX")
trap 'rm -rf "$tmp"' EXIT

mk() { # mk <path> <content>
    mkdir -p "$(dirname "$tmp/$1")"
    printf '%s\n' "$2" >"$tmp/$1"
}

# A tree that follows every rule.
mk common/common.h '#include <stdint.h>'
mk common/sqlstate.def ''
mk common/hash.c $'#include "common.h"\n#include <xxhash.h>\n#include "sqlstate.def"'
mk storage/storage.h '#include "common/common.h"'
mk storage/storage_int.h '#include "storage.h"'
mk storage/kernels/kernels_int.h '#include "../storage_int.h"'
mk storage/kernels/filter.c $'#include "kernels_int.h"\n#include "storage_int.h"\n#include "storage/storage.h"'
mk storage/table.c $'#include "storage_int.h"\n#include "kernels/kernels_int.h"\n#include <lz4.h>'
mk query/query.h '#include "storage/storage.h"'
mk query/exec/op_scan.c $'#include "query/query.h"\n#include "common/common.h"\n#include <pg_query.h>'
mk protocol/protocol.h '#include "query/query.h"'
mk protocol/msg.c $'#include "protocol.h"\n#include <openssl/sha.h>'
mk loaders/loaders.h '#include "storage/storage.h"'
mk analytics/analytics.h '#include "query/query.h"'
mk analytics/rfm.c $'#include "analytics.h"\n#include "storage/storage.h"'
mk server/main.c $'#include "protocol/protocol.h"\n#include "loaders/loaders.h"\n#include "analytics/analytics.h"\n#include <openssl/ssl.h>'

if ! out=$("$here/check_layering.sh" "$tmp"); then
    echo "FAIL: a clean tree was rejected:"
    echo "$out"
    exit 1
fi

# Now one violation of each kind, each on a known line.
mk common/log.c $'#include "common.h"\n#include "storage/storage.h"'
mk storage/io.c $'#include "storage_int.h"\n#include "query/query.h"'
mk loaders/csv.c $'#include "loaders.h"\n#include "../storage/storage_int.h"'
mk protocol/copy.c $'#include "protocol.h"\n#include "storage/storage.h"'
mk query/bind.c $'#include "query/query.h"\n\n#include "storage/kernels/kernels_int.h"'
mk server/conn.c $'#include "protocol/protocol.h"\n#include "protocol/msg_int.h"\n#include "storage/table.h"'
mk analytics/cube.c $'#include "analytics.h"\n#include <xxhash.h>\n#include <liburing.h>'
mk query/plan.c $'#include "query/query.h"\n#include <storage/storage.h>\n#include <cmocka.h>'
mk loaders/gen.c $'#include "../query/query.h"'

set +e
out=$("$here/check_layering.sh" "$tmp")
rc=$?
set -e
expect=(
    "common/log.c:2:"
    "storage/io.c:2:"
    "loaders/csv.c:2:"
    "protocol/copy.c:2:"
    "query/bind.c:3:"
    "server/conn.c:2:"
    "server/conn.c:3:"
    "analytics/cube.c:2:"
    "analytics/cube.c:3:"
    "query/plan.c:2:"
    "query/plan.c:3:"
    "loaders/gen.c:1:"
)
status=0
if [[ $rc == 0 ]]; then
    echo "FAIL: violations were not rejected (exit 0)"
    status=1
fi
for e in "${expect[@]}"; do
    if ! grep -q "^$e" <<<"$out"; then
        echo "FAIL: no report for $e"
        status=1
    fi
done
n=$(grep -c '^[a-z]*/[^:]*:[0-9]*:' <<<"$out" || true)
if [[ $n != "${#expect[@]}" ]]; then
    echo "FAIL: expected ${#expect[@]} reports, got $n"
    status=1
fi
echo "$out"
[[ $status == 0 ]] && echo "layering_selftest: ok"
exit $status
