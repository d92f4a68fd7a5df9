#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# One-command comparison of Basket with PostgreSQL 15 and DuckDB on the same data and queries
# (bench/README.md, issue 9):
#
#   bench/compare.sh [--scale 1|20 | --csv FILE] [--out DIR] [--reps N] [--seconds S] [--keep]
#
#   --scale N     generate N x 541,909 rows with build/basket-gen (seed 42); default 1
#   --csv FILE    use an Online Retail CSV instead (UCI headers; see README "Data")
#   --out DIR     where the report goes (default bench/results): DIR/<date>-<scale>.md + .json
#   --reps N      timed runs per query and engine (default 5; 3 at scale >= 10)
#   --seconds S   measured seconds per scenario run (default 10; 15 at scale >= 10)
#   --keep        keep the work directory (data, logs, raw outputs) and print its path
#
# Steps: (a) data; memory-bandwidth probe (build/basket-membw); (b)+(c) DuckDB in-process via
# node (bench/duckdb_run.js, @duckdb/node-api installed with npm into a cache directory), then
# basketd (--load) and a private PostgreSQL 15 (tests/support/pg_oracle.sh, TCP on 127.0.0.1),
# each load timed; (d) every bench/queries/*.sql on the three engines, results compared, then
# the scenarios with basket-bench on Basket and PostgreSQL; (e) the report with the machine's
# description; (f) cleanup of exactly what this script started, by pid / by its directory.
#
# Environment: BASKET_BUILD_DIR (default build), BASKET_BENCH_CACHE (npm cache directory,
# default ~/.cache/basket-bench), BASKET_BENCH_THREADS (default nproc: DuckDB threads and
# PostgreSQL parallel workers + 1), TMPDIR.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
build=${BASKET_BUILD_DIR:-$root/build}
cache=${BASKET_BENCH_CACHE:-${HOME:-/tmp}/.cache/basket-bench}
duckdb_pkg="@duckdb/node-api@1.5.6-r.1"
uci_rows=541909

scale=1
csv=""
out="$here/results"
reps=""
seconds=""
keep=0

die() {
    echo "compare: $*" >&2
    exit 1
}

log() {
    printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2
}

while [[ $# -gt 0 ]]; do
    case $1 in
    --scale)
        [[ ${2:-} =~ ^[0-9]+$ && $2 -ge 1 ]] || die "--scale takes a positive integer"
        scale=$2
        shift 2
        ;;
    --csv)
        [[ -r ${2:-} ]] || die "--csv: cannot read '${2:-}'"
        csv=$(realpath "$2")
        shift 2
        ;;
    --out)
        [[ -n ${2:-} ]] || die "--out takes a directory"
        out=$2
        shift 2
        ;;
    --reps)
        [[ ${2:-} =~ ^[0-9]+$ && $2 -ge 1 ]] || die "--reps takes a positive integer"
        reps=$2
        shift 2
        ;;
    --seconds)
        [[ ${2:-} =~ ^[0-9]+$ && $2 -ge 1 ]] || die "--seconds takes a positive integer"
        seconds=$2
        shift 2
        ;;
    --keep)
        keep=1
        shift
        ;;
    -h | --help)
        sed -n '4,27p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *)
        die "unknown argument '$1' (see --help)"
        ;;
    esac
done

big=0
if [[ -z $csv && $scale -ge 10 ]]; then
    big=1
fi
reps=${reps:-$((big ? 3 : 5))}
seconds=${seconds:-$((big ? 15 : 10))}
warmup=$((big ? 3 : 2))
threads=${BASKET_BENCH_THREADS:-$(nproc)}
if [[ -n $csv ]]; then
    label="csv-$(basename "$csv" .csv)"
else
    label="${scale}x"
fi

for tool in psql python3 node npm; do
    command -v "$tool" >/dev/null || die "$tool not found (make deps; node/npm: Debian nodejs + npm)"
done

# --- build -----------------------------------------------------------------------------------
need_build=0
for b in basketd basket-gen basket-bench basket-membw; do
    [[ -x $build/$b ]] || need_build=1
done
if [[ $need_build == 1 ]]; then
    log "building Release binaries in $build"
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$build" -j"$(nproc)" --target basketd basket-gen basket-bench basket-membw \
        >/dev/null
fi

# --- work directory and cleanup --------------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/basket-compare.XXXXXX")
chmod 755 "$work" # the postgres user must reach $work/pg
basketd_pid=""
sampler_pid=""
node_pid=""
pg_started=0

cleanup() {
    local rc=$?
    set +e
    if [[ -n $sampler_pid ]]; then
        kill "$sampler_pid" 2>/dev/null
        wait "$sampler_pid" 2>/dev/null
    fi
    if [[ -n $node_pid ]]; then
        kill "$node_pid" 2>/dev/null
        wait "$node_pid" 2>/dev/null
    fi
    if [[ -n $basketd_pid ]]; then
        kill -TERM "$basketd_pid" 2>/dev/null
        for _ in $(seq 1 100); do
            kill -0 "$basketd_pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$basketd_pid" 2>/dev/null
        wait "$basketd_pid" 2>/dev/null
    fi
    if [[ $pg_started == 1 ]]; then
        bash "$root/tests/support/pg_oracle.sh" stop "$work/pg" >/dev/null 2>&1
    fi
    if [[ $keep == 1 || $rc -ne 0 ]]; then
        echo "compare: work directory kept: $work" >&2
    else
        rm -rf "$work"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$work/res/basket" "$work/res/postgres" "$work/res/duckdb" "$work/scen"
t_start=$(date +%s)
meta="$work/meta.env" # key=value lines for compare.py
: >"$meta"
put() { echo "$1=$2" >>"$meta"; }
now_ms() { date +%s%3N; }

put label "$label"
put scale "$([[ -n $csv ]] && echo csv || echo "$scale")"
put reps "$reps"
put seconds "$seconds"
put warmup "$warmup"
put threads "$threads"
put started "$(date -u '+%Y-%m-%d %H:%M:%S UTC')"

# --- (a) data ---------------------------------------------------------------------------------
if [[ -z $csv ]]; then
    csv="$work/online_retail_${label}.csv"
    log "generating $((uci_rows * scale)) rows (basket-gen --seed 42)"
    t0=$(now_ms)
    "$build/basket-gen" --rows $((uci_rows * scale)) --seed 42 --out "$csv"
    put gen_ms $(($(now_ms) - t0))
    put data "basket-gen --rows $((uci_rows * scale)) --seed 42"
else
    put data "$csv"
fi
put csv_bytes "$(stat -c %s "$csv")"
put csv_lines "$(($(wc -l <"$csv") - 1))"

# --- machine and memory bandwidth ----------------------------------------------------------------
put cpu "$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)"
put cores "$(nproc)"
put mem_total "$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
put kernel "$(uname -sr)"
# shellcheck source=/dev/null
put os "$(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-unknown}")"
put virt "$(lscpu | sed -n 's/^Hypervisor vendor:[[:space:]]*//p' | head -n 1)"
log "memory bandwidth probe"
"$build/basket-membw" --json >"$work/membw.json"

# --- DuckDB (in-process, node) -----------------------------------------------------------------
duck_modules="$cache/duckdb/node_modules"
if [[ ! -d $duck_modules/@duckdb/node-api ]]; then
    log "installing $duckdb_pkg into $cache/duckdb"
    mkdir -p "$cache/duckdb"
    if ! npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$cache/duckdb" \
        "$duckdb_pkg" >"$work/npm.log" 2>&1; then
        cat "$work/npm.log" >&2
        log "DuckDB unavailable (npm install failed): its column is left empty"
    fi
fi
if [[ -d $duck_modules/@duckdb/node-api ]]; then
    log "DuckDB: load + queries ($threads threads, $reps timed runs each)"
    node "$here/duckdb_run.js" --modules "$duck_modules" --csv "$csv" --threads "$threads" \
        --queries "$here/queries" --reps "$reps" --out "$work/res/duckdb" \
        >"$work/res/duckdb.json" 2>"$work/res/duckdb.err" &
    node_pid=$!
    wait "$node_pid" || log "DuckDB run failed: $(tail -n 3 "$work/res/duckdb.err")"
    node_pid=""
fi

# --- Basket ---------------------------------------------------------------------------------------
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
bport=$(free_port)
log "Basket: basketd --load on port $bport"
: >"$work/basketd.log"
t0=$(now_ms)
"$build/basketd" --port "$bport" --data-dir "$work/basket-data" --load "$csv" \
    >"$work/basketd.log" 2>&1 &
basketd_pid=$!
for ((i = 0; i < 18000; i++)); do
    grep -q "ready to accept connections" "$work/basketd.log" && break
    kill -0 "$basketd_pid" 2>/dev/null || {
        cat "$work/basketd.log" >&2
        die "basketd exited during start-up"
    }
    sleep 0.05
done
grep -q "ready to accept connections" "$work/basketd.log" || die "basketd not ready after 15 min"
put basket_ready_ms $(($(now_ms) - t0))
put basket_load_line "$(grep -m1 'LOG:  loaded' "$work/basketd.log" | sed 's/.*LOG:  //')"
put basket_version "$("$build/basketd" --version 2>&1 | head -n 1)"

# --- PostgreSQL 15 ------------------------------------------------------------------------------
# Settings a benchmark would use on this machine (the oracle defaults are for tests): buffers
# that hold the table, sorts and hashes in memory, parallel workers matching --threads, and a
# TCP listener so both servers are reached the same way.
pg_shared=$(awk '/MemTotal/ {m = int($2 / 1024 / 4); if (m > 8192) m = 8192; print m "MB"}' /proc/meminfo)
export PG_ORACLE_OPTS="-c listen_addresses=127.0.0.1 -c shared_buffers=$pg_shared \
-c work_mem=256MB -c maintenance_work_mem=1GB -c max_wal_size=8GB -c checkpoint_timeout=30min \
-c max_parallel_workers_per_gather=$((threads > 1 ? threads - 1 : 0)) -c max_parallel_workers=$threads \
-c effective_cache_size=$pg_shared -c max_connections=200"
put pg_settings "shared_buffers=$pg_shared work_mem=256MB max_parallel_workers_per_gather=$((threads > 1 ? threads - 1 : 0)) fsync=off synchronous_commit=off jit=default"
log "PostgreSQL: starting a private cluster"
pg_started=1
pport=$(bash "$root/tests/support/pg_oracle.sh" start "$work/pg" --watch $$ | tail -n 1)
unset PG_ORACLE_OPTS
pg_psql=(psql -X -q -h 127.0.0.1 -p "$pport" -U postgres -d postgres -v ON_ERROR_STOP=1)
put pg_version "$("${pg_psql[@]}" -A -t -c 'select version()' | sed 's/ on x86_64.*//')"

# Peak memory of the PostgreSQL cluster: the sum of the proportional set sizes (PSS, shared
# buffers counted once) of the postmaster and its children, sampled every second.
pm_pid=$(head -n 1 "$work/pg/data/postmaster.pid")
(
    peak=0
    while kill -0 "$pm_pid" 2>/dev/null; do
        sum=0
        for p in $pm_pid $(ps -o pid= --ppid "$pm_pid" 2>/dev/null); do
            kb=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || true)
            sum=$((sum + ${kb:-0}))
        done
        if ((sum > peak)); then
            peak=$sum
            echo "$peak" >"$work/pg_peak_pss_kb"
        fi
        sleep 1
    done
) &
sampler_pid=$!

pg_part() {
    awk -v want="$1" '/^--@ / {cur = $2; next} cur == want' "$here/load_postgres.sql"
}
log "PostgreSQL: loading (COPY, derive, index + analyze)"
pg_part "" | "${pg_psql[@]}" 2>&1 | grep -v NOTICE || true
t0=$(now_ms)
"${pg_psql[@]}" -c "copy staging from stdin with (format csv, header true)" <"$csv"
put pg_copy_ms $(($(now_ms) - t0))
t0=$(now_ms)
pg_part derive | "${pg_psql[@]}"
put pg_derive_ms $(($(now_ms) - t0))
t0=$(now_ms)
pg_part index | "${pg_psql[@]}"
put pg_index_ms $(($(now_ms) - t0))

# --- (d) queries: results, then timings -----------------------------------------------------------
# run_queries <engine> <port> <user> <db>: psql captures the result (and is the warm-up run),
# basket-bench --count times the same file over the simple protocol.
run_queries() {
    local engine=$1 port=$2 user=$3 db=$4 q name dir="$work/res/$1"
    for q in "$here"/queries/*.sql; do
        name=$(basename "$q" .sql)
        if psql -X -A -t -F $'\t' -P null='<NULL>' -v ON_ERROR_STOP=1 -v VERBOSITY=verbose \
            -h 127.0.0.1 -p "$port" -U "$user" -d "$db" -f "$q" >"$dir/$name.tsv" \
            2>"$dir/$name.err"; then
            "$build/basket-bench" -h 127.0.0.1 -p "$port" -U "$user" -d "$db" --scenario "$q" \
                --clients 1 --count "$reps" --warmup 0 --protocol simple --json \
                >"$dir/$name.json" 2>>"$dir/$name.err" || true
        fi
    done
}
log "queries on Basket"
run_queries basket "$bport" basket basket
log "queries on PostgreSQL"
export PGOPTIONS="-c statement_timeout=300s"
run_queries postgres "$pport" postgres postgres
unset PGOPTIONS

# --- (d) scenarios ---------------------------------------------------------------------------------
# name, file, clients, extra flags. ingest adds rows, so it runs last; mixed adds few.
scenarios=(
    "dashboard|dashboard|4|"
    "dashboard-simple|dashboard|4|--protocol simple"
    "adhoc|adhoc|2|"
    "lookup|lookup|8|"
    "mixed|mixed|4|"
    "ingest|ingest|4|"
)
run_scenario() {
    local engine=$1 port=$2 user=$3 db=$4 spec name file clients extra
    for spec in "${scenarios[@]}"; do
        IFS='|' read -r name file clients extra <<<"$spec"
        log "scenario $name on $engine ($clients clients, ${seconds}s)"
        # shellcheck disable=SC2086 # extra flags split on purpose
        "$build/basket-bench" -h 127.0.0.1 -p "$port" -U "$user" -d "$db" \
            --scenario "$here/scenarios/$file.sql" --clients "$clients" --duration "$seconds" \
            --warmup "$warmup" --json $extra >"$work/scen/$engine-$name.json" \
            2>"$work/scen/$engine-$name.err" || log "basket-bench failed: $(tail -n 2 "$work/scen/$engine-$name.err")"
    done
}
run_scenario basket "$bport" basket basket
export PGOPTIONS="-c statement_timeout=120s"
run_scenario postgres "$pport" postgres postgres
unset PGOPTIONS

# --- memory, then stop ---------------------------------------------------------------------------------
put basket_peak_rss_kb "$(awk '/VmHWM/ {print $2}' "/proc/$basketd_pid/status")"
kill "$sampler_pid" 2>/dev/null || true
wait "$sampler_pid" 2>/dev/null || true
sampler_pid=""
put pg_peak_pss_kb "$(cat "$work/pg_peak_pss_kb" 2>/dev/null || echo 0)"
put elapsed_s $(($(date +%s) - t_start))

# --- (e) report ------------------------------------------------------------------------------------
mkdir -p "$out"
report="$out/$(date +%Y-%m-%d)-$label"
python3 "$here/compare.py" --work "$work" --queries "$here/queries" --md "$report.md" \
    --json "$report.json"
log "report: $report.md (total $(($(date +%s) - t_start)) s)"
