# SPDX-License-Identifier: Apache-2.0
"""Basket's system relations: basket_columns and basket_tables describe the live tables.

    test_system.py BASKETD
"""

import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

import psycopg  # noqa: E402

from basket_server import BasketServer  # noqa: E402

BASKETD = None


class SystemRelations(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = BasketServer(BASKETD, args=["--sample", "--sample-rows", "70000"]).start()
        cls.conn = psycopg.connect(host="127.0.0.1", port=cls.server.port, user="basket",
                                   dbname="basket", autocommit=True)

    @classmethod
    def tearDownClass(cls):
        cls.conn.close()
        cls.server.stop()

    def q(self, sql):
        cur = self.conn.execute(sql)
        return cur.fetchall() if cur.description is not None else None

    def test_basket_columns_describes_every_column(self):
        self.q("create table sys_t (a int, b text, c numeric(8,2) not null, d date)")
        self.q("insert into sys_t values (1, 'x', 1.5, '2011-01-01'), (2, 'y', 2, null), "
               "(null, 'x', 3.25, '2011-01-02')")
        rows = self.q("select column_name, type, encoding, rows, distinct_values, bytes "
                      "from basket_columns where table_name = 'sys_t' order by column_name")
        self.assertEqual([r[0] for r in rows], ["a", "b", "c", "d"])
        self.assertEqual([r[1] for r in rows], ["integer", "text", "numeric(8,2)", "date"])
        self.assertEqual({r[3] for r in rows}, {3})
        by_name = {r[0]: r for r in rows}
        self.assertEqual(by_name["b"][2], "dictionary")
        self.assertEqual(by_name["b"][4], 2)  # 'x' and 'y'
        self.assertIsNone(by_name["a"][4])
        self.assertTrue(all(r[5] > 0 for r in rows))

    def test_counts_match_the_tables(self):
        (count,) = self.q("select count(*) from transactions")[0]
        rows = self.q("select rows from basket_columns where table_name = 'transactions' "
                      "group by rows")
        self.assertEqual(rows, [(count,)])
        (countries,) = self.q("select distinct_values from basket_columns where "
                              "table_name = 'transactions' and column_name = 'country'")[0]
        seen = self.q("select country from transactions group by country")
        self.assertEqual(countries, len(seen))
        (total,) = self.q("select sum(bytes) from basket_columns "
                          "where table_name = 'transactions'")[0]
        (tbytes, tcols, trows) = self.q("select bytes, columns, rows from basket_tables "
                                        "where table_name = 'transactions'")[0]
        self.assertEqual(total, tbytes)
        self.assertEqual(tcols, 10)
        self.assertEqual(trows, count)

    def test_bytes_grow_with_rows(self):
        self.q("create table sys_grow (v bigint)")
        before = self.q("select bytes from basket_columns where table_name = 'sys_grow'")[0][0]
        self.q("insert into sys_grow select quantity from transactions")
        after = self.q("select rows, bytes from basket_columns where table_name = 'sys_grow'")[0]
        self.assertEqual(after[0], self.q("select count(*) from transactions")[0][0])
        self.assertGreater(after[1], before)
        self.assertGreaterEqual(after[1], after[0] * 8 // 2)  # cannot hold 8-byte values in less

    def test_resolution(self):
        # Qualified and unqualified names reach the same relation; unknown catalogs say so.
        self.assertEqual(self.q("select count(*) from pg_catalog.basket_tables"),
                         self.q("select count(*) from basket_tables"))
        with self.assertRaises(psycopg.errors.UndefinedTable):
            self.q("select * from public.basket_tables")


if __name__ == "__main__":
    BASKETD = sys.argv.pop(1)
    unittest.main()
