// SPDX-License-Identifier: Apache-2.0
//
// The DuckDB side of bench/compare.sh: loads an Online Retail CSV into an in-memory DuckDB
// (the npm package @duckdb/node-api, in this process) as the same `transactions` table that
// Basket and PostgreSQL get, then runs every bench/queries/*.sql file: once to capture the
// result (written as tab-separated text, the way `psql -A -t` prints it), then --reps timed
// runs. Prints one JSON object with the load time, per-query times and the peak RSS.
//
//   node duckdb_run.js --modules DIR --csv FILE --threads N --queries DIR --reps N --out DIR
//
// DIR of --modules is the node_modules folder holding @duckdb/node-api (compare.sh installs
// it into a cache directory with `npm install --no-save`; it is never committed).
'use strict';

const fs = require('fs');
const path = require('path');

function parseArgs(argv) {
  const args = { threads: '2', reps: '5' };
  for (let i = 2; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    if (i + 1 >= argv.length) {
      throw new Error(`missing value for ${argv[i]}`);
    }
    args[key] = argv[i + 1];
  }
  for (const k of ['modules', 'csv', 'queries', 'out']) {
    if (!args[k]) {
      throw new Error(`--${k} is required`);
    }
  }
  return args;
}

// psql -A -t prints NULL as set by -P null=...; compare.sh uses <NULL>. Booleans as t/f.
function cell(v) {
  if (v === null || v === undefined) {
    return '<NULL>';
  }
  if (typeof v === 'boolean') {
    return v ? 't' : 'f';
  }
  return String(v);
}

function ms(t0) {
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// The first data line tells the date format: 2010-12-01 08:26:00 (spark) or 12/1/2010 8:26.
function timestampFormat(csv) {
  const fd = fs.openSync(csv, 'r');
  const buf = Buffer.alloc(4096);
  const n = fs.readSync(fd, buf, 0, buf.length, 0);
  fs.closeSync(fd);
  const line = buf.subarray(0, n).toString('utf8').split('\n')[1] || '';
  return /,\d{1,2}\/\d{1,2}\/\d{4} /.test(line) ? '%m/%d/%Y %H:%M' : null;
}

async function main() {
  const args = parseArgs(process.argv);
  const { DuckDBInstance } = require(path.join(path.resolve(args.modules), '@duckdb', 'node-api'));
  const instance = await DuckDBInstance.create(':memory:', { threads: String(args.threads) });
  const conn = await instance.connect();
  const version = (await conn.runAndReadAll('select version()')).getRows()[0][0];

  const fmt = timestampFormat(args.csv);
  const csv = args.csv.replace(/'/g, "''");
  // Same columns and derivations as README "Data" and bench/load_postgres.sql. Prices are
  // DECIMAL(18,3): the Online Retail files have at most three decimals.
  const load = `
    create table transactions as
    select invoice_no, stock_code, description, quantity, invoice_date, unit_price,
           cast(customer_id as integer) as customer_id, country,
           quantity * unit_price as revenue,
           starts_with(invoice_no, 'C') as is_cancellation
    from read_csv('${csv}', header = true, auto_detect = false, quote = '"', escape = '"',
                  ${fmt ? `timestampformat = '${fmt}',` : ''}
                  columns = {'invoice_no': 'VARCHAR', 'stock_code': 'VARCHAR',
                             'description': 'VARCHAR', 'quantity': 'INTEGER',
                             'invoice_date': 'TIMESTAMP', 'unit_price': 'DECIMAL(18,3)',
                             'customer_id': 'DOUBLE', 'country': 'VARCHAR'})`;
  const t0 = process.hrtime.bigint();
  await conn.run(load);
  const loadMs = ms(t0);
  // Power BI qualifies tables with "public"; DuckDB's default schema is "main".
  await conn.run('create schema public');
  await conn.run('create view public.transactions as select * from main.transactions');
  const rows = Number((await conn.runAndReadAll('select count(*) from transactions')).getRows()[0][0]);

  fs.mkdirSync(args.out, { recursive: true });
  const reps = Number(args.reps);
  const queries = {};
  const files = fs.readdirSync(args.queries).filter((f) => f.endsWith('.sql')).sort();
  for (const f of files) {
    const name = f.replace(/\.sql$/, '');
    const sql = fs.readFileSync(path.join(args.queries, f), 'utf8').replace(/;\s*$/, '');
    const q = { ok: true, error: null, ms: [], median_ms: null, rows: 0 };
    try {
      const reader = await conn.runAndReadAll(sql);
      const out = reader.getRows().map((r) => r.map(cell).join('\t'));
      q.rows = out.length;
      fs.writeFileSync(path.join(args.out, `${name}.tsv`), out.length ? out.join('\n') + '\n' : '');
      for (let i = 0; i < reps; i++) {
        const t = process.hrtime.bigint();
        await conn.runAndReadAll(sql);
        q.ms.push(ms(t));
      }
      q.median_ms = median(q.ms);
    } catch (e) {
      q.ok = false;
      q.error = String(e.message || e).split('\n')[0];
    }
    queries[name] = q;
  }
  const result = {
    engine: 'duckdb',
    version,
    threads: Number(args.threads),
    load_ms: loadMs,
    rows,
    queries,
    max_rss_kb: process.resourceUsage().maxRSS,
  };
  process.stdout.write(JSON.stringify(result) + '\n');
  conn.closeSync();
}

main().catch((e) => {
  process.stderr.write(`duckdb_run: ${e.stack || e}\n`);
  process.exit(1);
});
