# SPDX-License-Identifier: Apache-2.0
"""basket-bench against a private basketd: a few seconds, any numbers.

    test_basket_bench.py BASKETD BASKET_BENCH SCENARIO_DIR

Checks that a run completes with exit 0 although one statement always fails, that the failing
statement is reported with its error count and SQLSTATE (table and JSON) while the others
succeed, that --json is one parseable object, that --count runs exactly that many
executions, that every shipped scenario file parses and runs, and the exit codes for usage,
scenario and connection errors.
"""

import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from basket_server import BasketServer, free_port  # noqa: E402

SCENARIO = """\
-- description: basket-bench self-test
-- name: by_country
-- weight: 3
select country, count(*), sum(revenue) from transactions group by country;

-- name: one_customer
-- param: int 12346..18287
select count(*) from transactions where customer_id = $1;

-- name: missing_table
select * from no_such_table;
"""

failures = []
passed = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    (passed if cond else failures).append(what)


def bench(binary, port, *args, timeout=120):
    cmd = [binary, "-h", "127.0.0.1", "-p", str(port), "-U", "basket", "-d", "basket"]
    cmd += [str(a) for a in args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def main():
    basketd, binary, scenario_dir = sys.argv[1:4]
    with tempfile.TemporaryDirectory(prefix="basket-bench-test-") as tmp:
        scen = os.path.join(tmp, "selftest.sql")
        with open(scen, "w") as f:
            f.write(SCENARIO)
        bad = os.path.join(tmp, "bad.sql")
        with open(bad, "w") as f:
            f.write("-- weight: many\nselect 1;\n")

        with BasketServer(basketd, args=["--sample", "--sample-rows", "20000"]) as srv:
            # Table output: 2 clients for about 3 seconds.
            r = bench(binary, srv.port, "--scenario", scen, "--clients", 2, "--duration", 3,
                      "--warmup", "0.5")
            print(r.stdout)
            check(r.returncode == 0, f"duration run exits 0 (got {r.returncode}: {r.stderr.strip()})")
            lines = {ln.split()[0]: ln.split() for ln in r.stdout.splitlines() if ln.strip()}
            row = lines.get("missing_table")
            check(row is not None and int(row[3]) > 0 and int(row[2]) == 0,
                  "table: missing_table has count 0 and errors > 0")
            for name in ("by_country", "one_customer"):
                row = lines.get(name)
                check(row is not None and int(row[2]) > 0 and int(row[3]) == 0,
                      f"table: {name} has count > 0 and no errors")
            check("missing_table:" in r.stdout and "42P01" in r.stdout,
                  "table: the error section names missing_table with SQLSTATE 42P01")

            # JSON output.
            r = bench(binary, srv.port, "--scenario", scen, "--clients", 2, "--duration", 2,
                      "--warmup", "0", "--json")
            check(r.returncode == 0, "json run exits 0")
            try:
                doc = json.loads(r.stdout)
            except ValueError as e:
                doc = None
                check(False, f"--json parses ({e})")
            if doc is not None:
                st = {s["name"]: s for s in doc["statements"]}
                check(doc["config"]["clients"] == 2 and doc["config"]["protocol"] == "simple",
                      "json: config echoes clients and protocol")
                m = st.get("missing_table", {})
                check(m.get("errors", 0) > 0 and m.get("count") == 0
                      and (m.get("first_error") or {}).get("sqlstate") == "42P01",
                      "json: missing_table errors > 0 with first_error.sqlstate 42P01")
                for name in ("by_country", "one_customer"):
                    s = st.get(name, {})
                    check(s.get("count", 0) > 0 and s.get("errors") == 0
                          and s["latency_ms"]["p50"] > 0 and s["latency_ms"]["max"]
                          >= s["latency_ms"]["p99"] >= s["latency_ms"]["p50"],
                          f"json: {name} succeeded with ordered percentiles")
                check(st.get("by_country", {}).get("rows", 0) > 0, "json: rows are counted")

            # --count: exactly N measured executions per client.
            r = bench(binary, srv.port, "--scenario", scen, "--clients", 2, "--count", 7,
                      "--json")
            doc = json.loads(r.stdout) if r.returncode == 0 else None
            check(doc is not None and doc["total"]["count"] + doc["total"]["errors"] == 14,
                  "--count 7 with 2 clients runs 14 executions")

            # The shipped scenarios parse and run; what Basket lacks shows up as errors.
            for name in ("dashboard", "adhoc", "lookup", "ingest", "mixed"):
                r = bench(binary, srv.port, "--scenario", os.path.join(scenario_dir, name + ".sql"),
                          "--clients", 1, "--count", 2, "--json")
                ok = r.returncode == 0
                try:
                    doc = json.loads(r.stdout)
                except ValueError:
                    ok = False
                check(ok and doc["total"]["count"] + doc["total"]["errors"] >= 2,
                      f"scenario {name} runs ({r.stderr.strip()[:200]})")

            # Exit codes.
            r = bench(binary, srv.port, "--clients", 1, "--count", 1)
            check(r.returncode == 1, "missing --scenario is a usage error (1)")
            r = bench(binary, srv.port, "--scenario", scen, "--clients", 1, "--count", 1,
                      "--duration", 1)
            check(r.returncode == 1, "--count with --duration is a usage error (1)")
            r = bench(binary, srv.port, "--scenario", bad, "--clients", 1, "--count", 1)
            check(r.returncode == 1 and "bad.sql:1" in r.stderr, "scenario error names file:line (1)")
        r = bench(binary, free_port(), "--scenario", scen, "--clients", 1, "--count", 1)
        check(r.returncode == 2, f"connection refused exits 2 (got {r.returncode})")

    print(f"{len(passed)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
