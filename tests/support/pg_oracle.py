# SPDX-License-Identifier: Apache-2.0
"""A private PostgreSQL 15 for Python tests: the oracle of the differential tests.

A thin wrapper around pg_oracle.sh (one implementation of start/stop): the server lives in a
fresh temporary directory, listens only on a unix socket there, and is stopped (immediate
shutdown) and removed on exit, or by a watchdog if this process dies first.

    from pg_oracle import PgOracle

    with PgOracle() as pg:
        with pg.connect() as conn:
            conn.execute("select 1")

Run tests with Debian's /usr/bin/python3, which has psycopg 3 (python3-psycopg).
Set BASKET_KEEP_PG=1 to keep the directory (data, postgres.log) for inspection.
"""

import os
import shutil
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "pg_oracle.sh")


class PgOracle:
    """Context manager: start() on enter, stop() on exit."""

    def __init__(self, base_dir=None, options=None):
        """`base_dir`: where to create the directory (default $TMPDIR or /tmp).
        `options`: extra server options, e.g. "-c max_connections=300"."""
        self.base_dir = base_dir
        self.options = options
        self.dir = None
        self.port = None

    def start(self):
        self.dir = tempfile.mkdtemp(prefix="basket-pg-", dir=self.base_dir)
        env = dict(os.environ)
        if self.options:
            env["PG_ORACLE_OPTS"] = self.options
        try:
            out = subprocess.run(
                ["bash", SCRIPT, "start", self.dir, "--watch", str(os.getpid())],
                check=True, stdout=subprocess.PIPE, env=env, text=True).stdout
        except subprocess.CalledProcessError:
            self._remove()
            raise
        self.port = int(out.strip().splitlines()[-1])
        return self

    def stop(self):
        if self.dir is None:
            return
        subprocess.run(["bash", SCRIPT, "stop", self.dir], check=False)
        if os.environ.get("BASKET_KEEP_PG") == "1":
            print(f"pg_oracle: kept {self.dir}")
        else:
            self._remove()
        self.dir = None

    def _remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    @property
    def host(self):
        """The socket directory, as libpq's host parameter."""
        return self.dir

    def conninfo(self, dbname="postgres"):
        return f"host={self.dir} port={self.port} user=postgres dbname={dbname}"

    def connect(self, dbname="postgres", autocommit=True, **kwargs):
        """A psycopg 3 connection (autocommit by default, so one failed statement does not
        poison the next)."""
        import psycopg  # imported here so the module loads without psycopg

        return psycopg.connect(self.conninfo(dbname), autocommit=autocommit, **kwargs)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False


if __name__ == "__main__":
    # Smoke test: python3 tests/support/pg_oracle.py
    with PgOracle() as pg:
        with pg.connect() as c:
            print(c.execute("select version()").fetchone()[0])
