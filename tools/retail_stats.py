#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""
Measures the statistics of an Online Retail CSV that loaders/gen.c reproduces, so the real
data set and the generator's output can be compared side by side (loaders/RETAIL_STATS.md).

    tools/retail_stats.py /work/shared/data/online_retail.csv            # one file, all sections
    tools/retail_stats.py real.csv generated.csv                          # key figures side by side
    tools/retail_stats.py --key-only real.csv generated.csv               # only the comparison table

Both layouts are read: the "spark" re-export (2010-12-01 08:26:00, 17850.0) and the Kaggle one
(12/1/2010 8:26, 17850, ISO-8859-1). Malformed lines are counted and skipped. Python 3 standard
library only.
"""

import argparse
import collections
import csv
import datetime
import math
import re
import sys

COLS = ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice",
        "CustomerID", "Country"]


def parse_date(s):
    """'YYYY-MM-DD HH:MM:SS' or 'M/D/YYYY H:MM' -> (date, hour, minute)."""
    if len(s) >= 16 and s[4] == "-":
        d = datetime.date(int(s[0:4]), int(s[5:7]), int(s[8:10]))
        return d, int(s[11:13]), int(s[14:16])
    day, time = s.split(" ")
    m, dd, y = day.split("/")
    hh, mm = time.split(":")
    return datetime.date(int(y), int(m), int(dd)), int(hh), int(mm)


def quantiles(xs, ps=(0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999)):
    xs = sorted(xs)
    if not xs:
        return {}
    return {p: xs[min(len(xs) - 1, int(p * len(xs)))] for p in ps}


def fmt_q(q):
    return "  ".join("p%g=%s" % (p * 100, ("%.4g" % v) if isinstance(v, float) else v)
                     for p, v in q.items())


class Stats:
    """One pass over a file; keeps per-invoice, per-customer and per-product aggregates."""

    def __init__(self, path):
        self.path = path
        self.reset()
        try:
            with open(path, encoding="utf-8", newline="") as f:
                self.read(f)
        except UnicodeDecodeError:  # the Kaggle export is ISO-8859-1
            self.reset()
            with open(path, encoding="latin-1", newline="") as f:
                self.read(f)

    def reset(self):
        self.rows = 0
        self.bad = 0
        self.revenue = 0.0
        self.null_cust = 0
        self.null_desc = 0
        self.cancel_rows = 0
        self.country_rows = collections.Counter()
        self.country_null_rows = collections.Counter()
        self.qty_pos = collections.Counter()     # quantity of non-cancellation lines
        self.qty_cancel = collections.Counter()
        self.price = collections.Counter()       # price text
        self.weekday_rows = collections.Counter()
        self.hour_rows = collections.Counter()
        self.month_rows = collections.Counter()
        self.day_rows = collections.Counter()
        self.code_rows = collections.Counter()
        self.code_price = collections.defaultdict(collections.Counter)  # named, non-C, >0
        self.descs = set()
        # invoice -> [lines, customer, country, first date, hour, all-zero-price, minute]
        self.inv = {}
        self.inv_order = []
        self.cust_inv = collections.defaultdict(set)   # non-cancellation invoices
        self.cust_lines = collections.Counter()
        self.cust_spend = collections.Counter()
        self.cust_country = {}
        self.cust_first = {}
        self.cust_last = {}
        self.cust_days = collections.defaultdict(list)  # [day, spend] of each order

    def read(self, f):
        reader = csv.reader(f)
        header = next(reader)
        if header != COLS:
            sys.exit("%s: unexpected header %r" % (self.path, header))
        for r in reader:
            if len(r) != 8:
                self.bad += 1
                continue
            try:
                inv, code, desc, qty, date, price, cust, country = r
                q = int(qty)
                d, hh, mm = parse_date(date)
                p = float(price)
                cid = int(float(cust)) if cust else None
            except ValueError:
                self.bad += 1
                continue
            self.rows += 1
            self.revenue += q * p
            is_c = inv.startswith("C")
            if is_c:
                self.cancel_rows += 1
                self.qty_cancel[q] += 1
            else:
                self.qty_pos[q] += 1
            if cid is None:
                self.null_cust += 1
                self.country_null_rows[country] += 1
            if desc == "":
                self.null_desc += 1
            else:
                self.descs.add(desc)
            self.country_rows[country] += 1
            self.price[price] += 1
            self.weekday_rows[d.weekday()] += 1
            self.hour_rows[hh] += 1
            self.month_rows[d.strftime("%Y-%m")] += 1
            self.day_rows[d] += 1
            self.code_rows[code] += 1
            if cid is not None and not is_c and p > 0:
                self.code_price[code][price] += 1
            e = self.inv.get(inv)
            if e is None:
                e = [0, cid, country, d, hh, True, mm]
                self.inv[inv] = e
                self.inv_order.append(inv)
            e[0] += 1
            if p != 0:
                e[5] = False
            if cid is not None:
                self.cust_lines[cid] += 1
                self.cust_spend[cid] += q * p
                self.cust_country.setdefault(cid, country)
                self.cust_first.setdefault(cid, d)
                self.cust_last[cid] = d
                if not is_c:
                    if inv not in self.cust_inv[cid]:
                        self.cust_days[cid].append([d, 0.0])
                    self.cust_inv[cid].add(inv)
                    self.cust_days[cid][-1][1] += q * p

    # ------------------------------------------------------------------------------------

    def invoice_types(self):
        """Invoices by kind: named, cancel-named, cancel-anon, anon-zero, anon-1, anon-multi."""
        kinds = collections.defaultdict(list)
        for k in self.inv_order:
            n, cid, _, _, _, zero, _ = self.inv[k]
            if k.startswith("C"):
                t = "cancel-anon" if cid is None else "cancel-named"
            elif not k[0].isdigit():
                t = "other-prefix"
            elif cid is not None:
                t = "named"
            elif zero:
                t = "anon-zero-price"
            elif n == 1:
                t = "anon-1-line"
            else:
                t = "anon-multi"
            kinds[t].append(n)
        return kinds

    def churn_auc(self, window=90):
        """
        RFM features at cutoff = last day - window; label = customer active before the cutoff
        with no purchase after it. Logistic regression on log-features, trained on even
        customer ids, AUC measured on odd ones.
        """
        end = max(self.day_rows)
        cutoff = end - datetime.timedelta(days=window)
        data = []
        for cid, ds in self.cust_days.items():
            before = [x for x in ds if x[0] <= cutoff]
            if not before:
                continue
            rec = (cutoff - before[-1][0]).days
            freq = len(before)
            mon = max(sum(x[1] for x in before), 0.0)
            label = 0 if any(x[0] > cutoff for x in ds) else 1
            data.append((cid, [math.log1p(rec), math.log1p(freq), math.log1p(mon)], label))
        if len(data) < 20:
            return None
        k = len(data[0][1])
        mu = [sum(d[1][j] for d in data) / len(data) for j in range(k)]
        sd = [math.sqrt(sum((d[1][j] - mu[j]) ** 2 for d in data) / len(data)) or 1.0
              for j in range(k)]
        xs = [([(d[1][j] - mu[j]) / sd[j] for j in range(k)], d[2], d[0]) for d in data]
        train = [x for x in xs if x[2] % 2 == 0]
        test = [x for x in xs if x[2] % 2 == 1]
        w = [0.0] * (k + 1)
        for _ in range(300):
            g = [0.0] * (k + 1)
            for x, y, _ in train:
                z = w[0] + sum(w[j + 1] * x[j] for j in range(k))
                pz = 1.0 / (1.0 + math.exp(-max(min(z, 30), -30)))
                g[0] += pz - y
                for j in range(k):
                    g[j + 1] += (pz - y) * x[j]
            w = [w[j] - 0.5 * g[j] / len(train) for j in range(k + 1)]
        scored = sorted((w[0] + sum(w[j + 1] * x[j] for j in range(k)), y) for x, y, _ in test)
        pos = sum(y for _, y in scored)
        neg = len(scored) - pos
        if pos == 0 or neg == 0:
            return None
        rank_sum = sum(i + 1 for i, (_, y) in enumerate(scored) if y == 1)
        auc = (rank_sum - pos * (pos + 1) / 2) / (pos * neg)
        return {"customers": len(data), "churn_share": sum(d[2] for d in data) / len(data),
                "auc": auc, "coef": dict(zip(["bias", "log_recency", "log_frequency",
                                              "log_monetary"], w))}

    def c_tables(self):
        """The measured tables behind loaders/gen.c (values to paste, not compiled as-is)."""
        out = []
        p = out.append
        ppm = [0, 100000, 200000, 300000, 400000, 500000, 600000, 700000, 800000, 900000,
               950000, 990000, 999000, 1000000]
        kinds = self.invoice_types()
        for t in ("named", "anon-multi", "cancel-named", "cancel-anon"):
            p("lines per invoice, %s, at ppm %s: %s" % (t, ppm, knots(kinds[t], ppm)))
        p("rows per stock code at ppm %s: %s" % (ppm, knots(list(self.code_rows.values()), ppm)))
        cinv = [len(v) for v in self.cust_inv.values()]
        p("invoices per customer at ppm %s: %s" % (ppm, knots(cinv, ppm)))
        modal = collections.Counter(c.most_common(1)[0][0] for k, c in self.code_price.items()
                                    if re.fullmatch(r"\d{5}[A-Za-z]*", k))
        p("modal price per regular product (price in mills, products): " + ", ".join(
            "{%d, %d}" % (round(float(v) * 1000), n) for v, n in sorted(
                modal.items(), key=lambda kv: float(kv[0]))))
        q_named, q_anon, q_cancel = (collections.Counter(), collections.Counter(),
                                     collections.Counter())
        # Second pass over the quantities by invoice kind needs the lines: re-read cheaply.
        reader = csv.reader(open(self.path, encoding="utf-8", errors="replace"))
        next(reader)
        for r in reader:
            if len(r) != 8:
                continue
            e = self.inv.get(r[0])
            if e is None:
                continue
            try:
                q = int(r[3])
            except ValueError:
                continue
            if r[0].startswith("C"):
                q_cancel[-q] += 1
            elif e[1] is not None:
                q_named[q] += 1
            elif e[0] > 1 and not e[5]:
                q_anon[q] += 1
        tail = [0, 250000, 500000, 750000, 900000, 990000, 1000000]
        p(c_discrete("quantity, named", q_named, 20, tail))
        p(c_discrete("quantity, anonymous multi-line", q_anon, 20, tail))
        p(c_discrete("quantity, cancellations (negated)", q_cancel, 20, tail))
        named_c = collections.Counter()
        for k, (n, cid, country, *_r) in self.inv.items():
            if cid is not None and not k.startswith("C"):
                named_c[country] += n
        p("named non-cancellation rows per country: " + ", ".join(
            '{"%s", %d}' % kv for kv in named_c.most_common()))
        p("rows without CustomerID per country: " + ", ".join(
            '{"%s", %d}' % kv for kv in self.country_null_rows.most_common()))
        ih = collections.Counter(v[4] for v in self.inv.values())
        p("invoices per hour: " + ", ".join("{%d, %d}" % kv for kv in sorted(ih.items())))
        return "\n".join(out)

    def key_figures(self):
        kinds = self.invoice_types()
        n_inv = len(self.inv)
        cinv = [len(v) for v in self.cust_inv.values()]
        lines_named = kinds.get("named", [])
        days = sorted(self.day_rows)
        nums = [int(re.sub(r"^\D+", "", k)) for k in self.inv_order]
        mono = sum(1 for i in range(len(nums) - 1) if nums[i] < nums[i + 1])
        end = days[-1]
        inactive = sum(1 for v in self.cust_last.values() if (end - v).days > 90)
        top1 = sorted(self.cust_lines.values(), reverse=True)
        top1 = sum(top1[:max(1, len(top1) // 100)]) / max(1, sum(top1))
        prices = [float(p) for p, c in self.price.items() for _ in range(c)]
        qtys = [q for q, c in self.qty_pos.items() for _ in range(c)]
        modal = sum(c.most_common(1)[0][1] for c in self.code_price.values())
        modal /= max(1, sum(sum(c.values()) for c in self.code_price.values()))
        codes = sorted(self.code_rows.values(), reverse=True)
        hours = [h for h in self.hour_rows if self.hour_rows[h]]
        f = collections.OrderedDict()
        f["rows"] = self.rows
        f["malformed lines skipped"] = self.bad
        f["invoices"] = n_inv
        f["cancellation invoices"] = sum(1 for k in self.inv if k.startswith("C"))
        f["first / last invoice number"] = "%d / %d" % (min(nums), max(nums))
        f["invoice numbers increasing in file order"] = "%.4f" % (mono / max(1, len(nums) - 1))
        f["customers"] = len(self.cust_lines)
        f["stock codes"] = len(self.code_rows)
        f["distinct descriptions"] = len(self.descs)
        f["countries"] = len(self.country_rows)
        f["rows without CustomerID"] = "%d (%.4f)" % (self.null_cust, self.null_cust / self.rows)
        f["rows without Description"] = self.null_desc
        f["cancellation rows (C, qty < 0)"] = "%d (%.4f)" % (self.cancel_rows,
                                                             self.cancel_rows / self.rows)
        f["United Kingdom rows"] = "%.4f" % (self.country_rows["United Kingdom"] / self.rows)
        f["first / last day"] = "%s / %s" % (days[0], days[-1])
        f["trading days"] = len(days)
        f["Saturday rows"] = self.weekday_rows[5]
        f["hours with rows"] = "%d-%d" % (min(hours), max(hours))
        f["lines per invoice (all) mean / median"] = "%.2f / %d" % (
            self.rows / n_inv, quantiles([v[0] for v in self.inv.values()])[0.5])
        f["lines per named invoice mean / p50 / p90 / p99"] = "%.2f / %d / %d / %d" % (
            sum(lines_named) / max(1, len(lines_named)), quantiles(lines_named)[0.5],
            quantiles(lines_named)[0.9], quantiles(lines_named)[0.99])
        f["invoices per customer mean / p50 / p90 / p99 / max"] = "%.2f / %d / %d / %d / %d" % (
            sum(cinv) / max(1, len(cinv)), quantiles(cinv)[0.5], quantiles(cinv)[0.9],
            quantiles(cinv)[0.99], max(cinv))
        f["customers with 1 invoice"] = "%.4f" % (sum(1 for v in cinv if v == 1) / len(cinv))
        f["row share of top 1% customers"] = "%.4f" % top1
        f["customers inactive in last 90 days"] = "%.4f" % (inactive / len(self.cust_last))
        f["quantity (non-C) p50 / p90 / p99 / max"] = "%d / %d / %d / %d" % (
            quantiles(qtys)[0.5], quantiles(qtys)[0.9], quantiles(qtys)[0.99], max(qtys))
        f["quantity = 1 share (non-C)"] = "%.4f" % (self.qty_pos[1] / max(1, len(qtys)))
        f["unit price p10 / p50 / p90 / p99"] = "%.2f / %.2f / %.2f / %.2f" % (
            quantiles(prices)[0.1], quantiles(prices)[0.5], quantiles(prices)[0.9],
            quantiles(prices)[0.99])
        f["rows at the product's modal price"] = "%.4f" % modal
        f["row share of top 10% stock codes"] = "%.4f" % (
            sum(codes[:max(1, len(codes) // 10)]) / self.rows)
        f["revenue, sum of quantity * price"] = "%.0f" % self.revenue
        nov = sum(v for k, v in self.month_rows.items() if k.endswith("-11"))
        feb = sum(v for k, v in self.month_rows.items() if k.endswith("-02"))
        f["rows November / February"] = "%.2f" % (nov / max(1, feb))
        churn = self.churn_auc()
        if churn:
            f["churn label share (no purchase in last 90 days)"] = "%.4f" % churn["churn_share"]
            f["churn AUC, logistic regression on RFM (held out)"] = "%.3f" % churn["auc"]
        return f

    def report(self):
        out = []
        p = out.append
        p("## %s" % self.path)
        for k, v in self.key_figures().items():
            p("- %s: %s" % (k, v))
        p("\n### Countries (rows, share, rows without CustomerID)")
        for c, n in self.country_rows.most_common():
            p("- %s: %d %.5f %d" % (c, n, n / self.rows, self.country_null_rows[c]))
        custc = collections.Counter(self.cust_country.values())
        p("\n### Customers per country: " + ", ".join("%s %d" % kv for kv in custc.most_common()))
        kinds = self.invoice_types()
        p("\n### Invoices by kind (invoices, rows, mean lines, quantiles of lines)")
        for t, ns in sorted(kinds.items()):
            p("- %s: %d %d %.2f  %s" % (t, len(ns), sum(ns), sum(ns) / len(ns), fmt_q(quantiles(ns))))
        p("\n### Calendar")
        p("- weekday rows (Mon=0): " + ", ".join("%d:%d" % kv for kv in sorted(self.weekday_rows.items())))
        wd_days = collections.Counter(d.weekday() for d in self.day_rows)
        p("- rows per trading day by weekday: " + ", ".join(
            "%d:%.0f" % (w, self.weekday_rows[w] / wd_days[w]) for w in sorted(wd_days)))
        p("- hour rows: " + ", ".join("%d:%d" % kv for kv in sorted(self.hour_rows.items())))
        ih = collections.Counter(v[4] for v in self.inv.values())
        p("- hour invoices: " + ", ".join("%d:%d" % kv for kv in sorted(ih.items())))
        mdays = collections.Counter(d.strftime("%Y-%m") for d in self.day_rows)
        p("- month rows (trading days, rows per trading day): " + ", ".join(
            "%s:%d (%d, %.0f)" % (m, self.month_rows[m], mdays[m], self.month_rows[m] / mdays[m])
            for m in sorted(self.month_rows)))
        im = collections.Counter(v[3].strftime("%Y-%m") for v in self.inv.values())
        p("- month invoices: " + ", ".join("%s:%d" % kv for kv in sorted(im.items())))
        fm = collections.Counter(v.strftime("%Y-%m") for v in self.cust_first.values())
        lm = collections.Counter(v.strftime("%Y-%m") for v in self.cust_last.values())
        p("- customers by first purchase month: " + ", ".join("%s:%d" % kv for kv in sorted(fm.items())))
        p("- customers by last purchase month: " + ", ".join("%s:%d" % kv for kv in sorted(lm.items())))
        p("\n### Quantity")
        qp = [q for q, c in self.qty_pos.items() for _ in range(c)]
        p("- non-cancellation: " + fmt_q(quantiles(qp)) + "  negative: %d" % sum(
            c for q, c in self.qty_pos.items() if q < 0))
        p("- most common: " + ", ".join("%d:%d" % kv for kv in self.qty_pos.most_common(30)))
        qc = [q for q, c in self.qty_cancel.items() for _ in range(c)]
        if qc:
            p("- cancellation: " + fmt_q(quantiles(qc)))
            p("- cancellation most common: " + ", ".join(
                "%d:%d" % kv for kv in self.qty_cancel.most_common(12)))
        p("\n### Price")
        pr = [float(x) for x, c in self.price.items() for _ in range(c)]
        p("- all rows: " + fmt_q(quantiles(pr)) + "  zero: %d  negative: %d" % (
            sum(1 for x in pr if x == 0), sum(1 for x in pr if x < 0)))
        dec = collections.Counter(len(x.split(".")[1]) if "." in x else 0 for x in self.price.elements())
        p("- digits after the point: " + ", ".join("%d:%d" % kv for kv in sorted(dec.items())))
        p("- most common: " + ", ".join("%s:%d" % kv for kv in self.price.most_common(20)))
        mp = [float(c.most_common(1)[0][0]) for c in self.code_price.values()]
        p("- modal price per product: " + fmt_q(quantiles(mp)))
        p("- distinct prices per product: " + fmt_q(quantiles([len(c) for c in self.code_price.values()])))
        p("\n### Customers")
        cinv = [len(v) for v in self.cust_inv.values()]
        p("- invoices per customer: " + fmt_q(quantiles(cinv)) + "  max %d" % max(cinv))
        p("- lines per customer: " + fmt_q(quantiles(list(self.cust_lines.values()))))
        p("- spend per customer: " + fmt_q(quantiles(list(self.cust_spend.values()))))
        p("\n### Products")
        cr = list(self.code_rows.values())
        p("- rows per stock code: " + fmt_q(quantiles(cr)))
        shapes = collections.Counter()
        for c in self.code_rows:
            if re.fullmatch(r"\d{5}", c):
                shapes["5 digits"] += 1
            elif re.fullmatch(r"\d{5}[A-Z]", c):
                shapes["5 digits + upper-case letter"] += 1
            elif re.fullmatch(r"\d{5}[a-z]", c):
                shapes["5 digits + lower-case letter"] += 1
            elif re.fullmatch(r"\d{5}[A-Za-z]+", c):
                shapes["5 digits + letters"] += 1
            else:
                shapes["special"] += 1
        p("- code shapes: " + ", ".join("%s %d" % kv for kv in shapes.most_common()))
        specials = [c for c in self.code_rows if not re.fullmatch(r"\d{5}[A-Za-z]*", c)]
        p("- special codes (rows): " + ", ".join("%s %d" % (c, self.code_rows[c]) for c in
                                                  sorted(specials, key=lambda c: -self.code_rows[c])))
        p("- description length: " + fmt_q(quantiles([len(d) for d in self.descs])))
        p("- descriptions with a comma / a double quote / a trailing space: %d / %d / %d" % (
            sum(1 for d in self.descs if "," in d), sum(1 for d in self.descs if '"' in d),
            sum(1 for d in self.descs if d.endswith(" "))))
        churn = self.churn_auc()
        if churn:
            p("\n### Churn learnability: %r" % churn)
        return "\n".join(out)


def knots(xs, ppm):
    """Values of the sorted sample xs at the cumulative probabilities ppm (parts per million)."""
    xs = sorted(xs)
    return [xs[min(len(xs) - 1, p * len(xs) // 1000000)] for p in ppm]


def c_discrete(name, counter, min_count, tail_ppm):
    """{value, weight} for values seen min_count times or more; the rest as tail knots."""
    top = sorted((v, n) for v, n in counter.items() if n >= min_count)
    rest = [v for v, n in counter.items() if n < min_count for _ in range(n)]
    lines = ["/* %s: %d values, %d occurrences; tail of %d */" % (
        name, len(top), sum(n for _, n in top), len(rest))]
    lines.append(", ".join("{%d, %d}" % t for t in top))
    if rest:
        lines.append("tail knots at ppm %s: %s" % (tail_ppm, knots(rest, tail_ppm)))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--key-only", action="store_true", help="only the key-figure table")
    ap.add_argument("--tables", action="store_true",
                    help="print the tables loaders/gen.c embeds, measured on the first file")
    args = ap.parse_args()
    stats = [Stats(f) for f in args.files]
    if args.tables:
        print(stats[0].c_tables())
        return
    if len(stats) > 1:
        figs = [s.key_figures() for s in stats]
        print("| figure | " + " | ".join(s.path for s in stats) + " |")
        print("|---|" + "---|" * len(stats))
        for k in figs[0]:
            print("| %s | %s |" % (k, " | ".join(str(f.get(k, "")) for f in figs)))
        print()
    if not args.key_only:
        for s in stats:
            print(s.report())
            print()


if __name__ == "__main__":
    main()
