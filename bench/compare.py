#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Checks and reports a bench/compare.sh run.

    compare.py --work DIR --queries DIR --md OUT.md --json OUT.json

Reads what compare.sh left in its work directory (meta.env, membw.json, res/<engine>/ with
one .tsv result, .err and basket-bench .json per query, res/duckdb.json, scen/*.json),
compares the query results of the engines (PostgreSQL is the reference; numbers are equal
when they agree to 1e-9 relative, so 244.8 = 244.800 and a numeric average equals DuckDB's
double), and writes the Markdown report and a JSON summary. Prints the query table.
"""

import argparse
import glob
import json
import math
import os
import re
import sys

ENGINES = ("basket", "postgres", "duckdb")
TITLE = {"basket": "Basket", "postgres": "PostgreSQL", "duckdb": "DuckDB"}
NUM = re.compile(r"^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")
ERR = re.compile(r"ERROR:\s+([0-9A-Z]{5}):\s*(.*)")


def read_meta(work):
    meta = {}
    with open(os.path.join(work, "meta.env"), encoding="utf-8") as f:
        for line in f:
            key, _, val = line.rstrip("\n").partition("=")
            meta[key] = val
    return meta


def load_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def read_rows(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return None
    return [line.split("\t") for line in text.split("\n") if line != ""]


def cells_equal(a, b):
    if a == b:
        return True
    if NUM.match(a) and NUM.match(b):
        x, y = float(a), float(b)
        return math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9)
    return False


def diff_rows(a, b):
    """None when equal, else a short description of the first difference."""
    if len(a) != len(b):
        return f"{len(a)} rows vs {len(b)}"
    for i, (ra, rb) in enumerate(zip(a, b)):
        if len(ra) != len(rb):
            return f"row {i + 1}: {len(ra)} columns vs {len(rb)}"
        for j, (x, y) in enumerate(zip(ra, rb)):
            if not cells_equal(x, y):
                return f"row {i + 1} column {j + 1}: {x!r} vs {y!r}"
    return None


def wire_engine(work, engine, name):
    """Outcome of one query on a server engine: ok + median, or the error."""
    base = os.path.join(work, "res", engine, name)
    out = {"ok": False, "median_ms": None, "sqlstate": None, "error": None, "rows": None}
    try:
        with open(base + ".err", encoding="utf-8", errors="replace") as f:
            err = f.read()
    except OSError:
        err = ""
    m = ERR.search(err)
    if m:
        out["sqlstate"], out["error"] = m.group(1), m.group(2).strip()
        return out
    bench = load_json(base + ".json")
    if bench is None:
        out["error"] = (err.strip().splitlines() or ["no result"])[-1]
        return out
    st = bench["statements"][0]
    if st["errors"] > 0 or st["count"] == 0:
        fe = st.get("first_error") or {}
        out["sqlstate"], out["error"] = fe.get("sqlstate"), fe.get("message", "failed")
        return out
    out.update(ok=True, median_ms=st["latency_ms"]["p50"], rows=st["rows"] // st["count"])
    return out


def fmt_ms(v):
    if v is None:
        return "–"
    if v >= 100:
        return f"{v:,.0f}"
    if v >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def fmt_cell(o):
    if o is None:
        return "n/a"
    if o["ok"]:
        return fmt_ms(o["median_ms"])
    if o.get("sqlstate") == "0A000":
        return "not supported (0A000)"
    if o.get("sqlstate"):
        return f"error {o['sqlstate']}"
    return "error"


def ratio(o, base):
    if o is None or base is None or not o["ok"] or not base["ok"] or not base["median_ms"]:
        return "–"
    r = o["median_ms"] / base["median_ms"]
    if r >= 10:
        return f"{r:,.0f}×"
    return f"{r:.2f}×" if r >= 0.1 else f"{r:.2g}×"


def mib(kb):
    try:
        return f"{int(kb) / 1024:,.0f} MiB"
    except (TypeError, ValueError):
        return "–"


def secs(ms):
    try:
        return f"{int(ms) / 1000:.2f} s"
    except (TypeError, ValueError):
        return "–"


def queries_section(work, qdir):
    duck = load_json(os.path.join(work, "res", "duckdb.json")) or {}
    dq = duck.get("queries", {})
    rows = []
    for path in sorted(glob.glob(os.path.join(qdir, "*.sql"))):
        name = os.path.basename(path)[:-4]
        res = {e: wire_engine(work, e, name) for e in ("basket", "postgres")}
        d = dq.get(name)
        res["duckdb"] = None if d is None else {
            "ok": d["ok"], "median_ms": d["median_ms"], "error": d["error"],
            "sqlstate": None}
        data = {e: read_rows(os.path.join(work, "res", e, name + ".tsv")) for e in ENGINES}
        ok = [e for e in ENGINES if res[e] is not None and res[e]["ok"] and data[e] is not None]
        ref = "postgres" if "postgres" in ok else (ok[0] if ok else None)
        agree, notes = [], []
        for e in ok:
            if e == ref:
                continue
            d_ = diff_rows(data[e], data[ref])
            if d_ is None:
                agree.append(e)
            else:
                notes.append(f"{TITLE[e]} differs from {TITLE[ref]}: {d_}")
        if ref is None:
            check = "no engine ran it"
        elif notes:
            check = "MISMATCH: " + "; ".join(notes)
        elif agree:
            check = " = ".join(TITLE[e] for e in [ref] + agree)
        else:
            check = f"only {TITLE[ref]} ran it"
        rows.append({"query": name, "results": res, "check": check, "mismatch": bool(notes),
                     "rows": len(data[ref]) if ref else None})
    return rows, duck


def scenario_section(work):
    """{scenario: {engine: basket-bench JSON}}, in the order compare.sh ran them."""
    found = []
    for path in glob.glob(os.path.join(work, "scen", "*.json")):
        engine, _, name = os.path.basename(path)[:-5].partition("-")
        j = load_json(path)
        if j is not None:
            found.append((os.path.getmtime(path), name, engine, j))
    out = {}
    for _, name, engine, j in sorted(found, key=lambda x: x[0]):
        out.setdefault(name, {})[engine] = j
    return out


def write_md(f, meta, membw, queries, duck, scen):
    label = meta.get("label", "?")
    rows = int(meta.get("csv_lines", "0") or 0)
    w = f.write
    w(f"# Basket vs PostgreSQL 15 vs DuckDB: {label} ({rows:,} rows), {meta.get('started')}\n\n")
    w("Produced by `bench/compare.sh"
      + ("" if meta.get("scale") == "csv" else f" --scale {meta.get('scale')}")
      + "`; every number below is from this one run.\n\n")
    w("## Machine\n\n")
    virt = f" ({meta['virt']} guest)" if meta.get("virt") else ""
    w(f"- CPU: {meta.get('cpu')}{virt}, {meta.get('cores')} cores\n")
    w(f"- Memory: {meta.get('mem_total')}; kernel {meta.get('kernel')}; {meta.get('os')}\n")
    if membw:
        parts = [f"{r['threads']} thread{'s' if r['threads'] > 1 else ''} "
                 f"{r['gbps_median']:.1f} GB/s" for r in membw["results"]]
        w(f"- Memory bandwidth (`basket-membw`: sequential read of {membw['buffer_mib']} MiB, "
          f"median of {membw['runs']} runs): {', '.join(parts)}\n")
    w(f"- Versions: {meta.get('basket_version')}; {meta.get('pg_version')}; "
      f"DuckDB {duck.get('version', 'n/a')} (npm @duckdb/node-api, in-process, "
      f"{duck.get('threads', meta.get('threads'))} threads)\n")
    w(f"- Data: {meta.get('data')} ({int(meta.get('csv_bytes', 0)) / 1e6:,.0f} MB CSV)\n")
    w(f"- PostgreSQL settings: {meta.get('pg_settings')}\n\n")

    w("## Load and memory\n\n")
    w("| engine | load | how | peak memory |\n|---|---:|---|---:|\n")
    bl = re.sub(r'loaded "[^"]*/', 'loaded "', meta.get("basket_load_line", ""))
    m = re.search(r"([\d.]+) s", bl)
    w(f"| Basket | {m.group(1) + ' s' if m else '–'} | `basketd --load` ({bl or 'no log line'}); "
      f"ready to serve after {secs(meta.get('basket_ready_ms'))} | "
      f"{mib(meta.get('basket_peak_rss_kb'))} (basketd VmHWM) |\n")
    pg_total = sum(int(meta.get(k, 0) or 0) for k in ("pg_copy_ms", "pg_derive_ms"))
    w(f"| PostgreSQL | {secs(pg_total)} | COPY into staging {secs(meta.get('pg_copy_ms'))} + "
      f"derive into `transactions` {secs(meta.get('pg_derive_ms'))}; then indexes on "
      f"customer_id, invoice_no and VACUUM ANALYZE {secs(meta.get('pg_index_ms'))} | "
      f"{mib(meta.get('pg_peak_pss_kb'))} (sum of PSS of all server processes, sampled each second) |\n")
    dl = duck.get("load_ms")
    w(f"| DuckDB | {fmt_ms(dl / 1000) + ' s' if dl else '–'} | `read_csv` into a table | "
      f"{mib(duck.get('max_rss_kb'))} (node process max RSS, DuckDB included) |\n\n")

    w(f"## Queries (bench/queries, median ms of {meta.get('reps')} runs after one warm-up run)\n\n")
    w("Basket and PostgreSQL over the wire on 127.0.0.1 (simple protocol, timed by "
      "`basket-bench --count`), DuckDB in-process. Ratio = engine time / Basket time: above "
      "1× Basket is faster. *Results* compares every row and value (numbers to 1e-9 relative) "
      "against PostgreSQL.\n\n")
    w("| query | rows | Basket | PostgreSQL | DuckDB | PostgreSQL / Basket | DuckDB / Basket | results |\n")
    w("|---|---:|---:|---:|---:|---:|---:|---|\n")
    for q in queries:
        r = q["results"]
        w(f"| {q['query']} | {q['rows'] if q['rows'] is not None else '–'} | "
          f"{fmt_cell(r['basket'])} | {fmt_cell(r['postgres'])} | {fmt_cell(r['duckdb'])} | "
          f"{ratio(r['postgres'], r['basket'])} | {ratio(r['duckdb'], r['basket'])} | "
          f"{q['check']} |\n")
    errs = [(q["query"], e, q["results"][e]) for q in queries for e in ENGINES
            if q["results"][e] is not None and not q["results"][e]["ok"]]
    if errs:
        w("\nWhat the engines rejected (first error):\n\n")
        for name, e, o in errs:
            w(f"- {name}, {TITLE[e]}: {o.get('sqlstate') or ''} {o.get('error')}\n")

    w(f"\n## Scenarios (bench/scenarios with basket-bench, {meta.get('seconds')} s measured "
      f"after {meta.get('warmup')} s warm-up)\n\n")
    w("Totals over all statements of a scenario; `ok/s` counts successful executions per "
      "second, `errors` failed ones (an error is a result: Basket answers what it does not "
      "support yet with 0A000). Latencies are of successful executions.\n\n")
    w("| scenario | protocol | clients | engine | ok/s | errors | p50 ms | p95 ms | p99 ms | rows/s |\n")
    w("|---|---|---:|---|---:|---:|---:|---:|---:|---:|\n")
    for name, by_engine in scen.items():
        for engine in ("basket", "postgres"):
            j = by_engine.get(engine)
            if j is None:
                continue
            t, c = j["total"], j["config"]
            lat = t["latency_ms"]
            w(f"| {name} | {c['protocol']} | {c['clients']} | {TITLE[engine]} | {t['qps']:.1f} | "
              f"{t['errors']} | {fmt_ms(lat['p50']) if t['count'] else '–'} | "
              f"{fmt_ms(lat['p95']) if t['count'] else '–'} | "
              f"{fmt_ms(lat['p99']) if t['count'] else '–'} | {t['rows_per_s']:,.0f} |\n")
    w("\n<details><summary>Per statement</summary>\n\n")
    for name, by_engine in scen.items():
        stmts = []
        for engine in ("basket", "postgres"):
            for s in (by_engine.get(engine) or {}).get("statements", []):
                if s["name"] not in stmts:
                    stmts.append(s["name"])
        w(f"\n**{name}**\n\n| statement | Basket ok/s | Basket p50 ms | Basket errors | "
          f"PostgreSQL ok/s | PostgreSQL p50 ms | PostgreSQL errors |\n"
          f"|---|---:|---:|---|---:|---:|---|\n")
        for sname in stmts:
            cells = []
            for engine in ("basket", "postgres"):
                s = next((x for x in (by_engine.get(engine) or {}).get("statements", [])
                          if x["name"] == sname), None)
                if s is None:
                    cells += ["–", "–", "–"]
                    continue
                fe = s.get("first_error")
                err = f"{s['errors']} ({fe['sqlstate']})" if fe and s["errors"] else str(s["errors"])
                cells += [f"{s['qps']:.1f}", fmt_ms(s["latency_ms"]["p50"]) if s["count"] else "–",
                          err]
            w(f"| {sname} | " + " | ".join(cells) + " |\n")
    w("\n</details>\n")
    w(f"\nTotal run time of compare.sh: {meta.get('elapsed_s')} s (before writing this report).\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", required=True)
    ap.add_argument("--queries", required=True)
    ap.add_argument("--md", required=True)
    ap.add_argument("--json", required=True)
    a = ap.parse_args()
    meta = read_meta(a.work)
    membw = load_json(os.path.join(a.work, "membw.json"))
    queries, duck = queries_section(a.work, a.queries)
    scen = scenario_section(a.work)
    with open(a.md, "w", encoding="utf-8") as f:
        write_md(f, meta, membw, queries, duck, scen)
    summary = {
        "meta": meta, "membw": membw,
        "duckdb": {k: v for k, v in duck.items() if k != "queries"},
        "queries": queries,
        "scenarios": {n: {e: {"config": j["config"], "total": j["total"],
                              "statements": j["statements"]} for e, j in by.items()}
                      for n, by in scen.items()},
    }
    with open(a.json, "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=1)
        f.write("\n")
    for q in queries:
        r = q["results"]
        print(f"{q['query']:<36} basket {fmt_cell(r['basket']):>22}  postgres "
              f"{fmt_cell(r['postgres']):>10}  duckdb {fmt_cell(r['duckdb']):>10}  {q['check']}")
    mism = [q["query"] for q in queries if q["mismatch"]]
    if mism:
        print("compare: results differ for: " + ", ".join(mism), file=sys.stderr)


if __name__ == "__main__":
    main()
