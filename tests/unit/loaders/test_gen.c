/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of the Online-Retail-like generator (loaders/gen.c): determinism, exact row
 * counts, the CSV layout of the real file, malformed lines on demand, the agreement of
 * bk_gen_next with bk_gen_next_csv, OOM paths, and the statistics of loaders/RETAIL_STATS.md
 * within tolerances on 200,000 rows.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bk_test.h"
#include "loaders/loaders.h"

#define REAL_ROWS 541909

/* ---------------------------------------------------------------------------------------- */
/* Helpers                                                                                  */

static bk_gen *gen_new(uint64_t rows, uint64_t seed, double bad_rate)
{
    bk_gen_options opt = {.rows = rows, .seed = seed, .bad_row_rate = bad_rate};
    bk_gen *g = bk_gen_create(&opt);
    assert_non_null(g);
    return g;
}

/* The whole CSV output of a generator (without the header). */
static bk_buf gen_csv(uint64_t rows, uint64_t seed, double bad_rate)
{
    bk_gen *g = gen_new(rows, seed, bad_rate);
    bk_buf out = {0};
    bk_rc rc = BK_ERR;
    uint64_t n = 0;
    while (bk_gen_next_csv(g, &out, &rc)) {
        n++;
    }
    assert_int_equal(rc, BK_OK);
    assert_int_equal(n, rows);
    bk_gen_destroy(g);
    return out;
}

/* One parsed CSV record: up to 16 fields copied into a scratch buffer. */
typedef struct csv_rec {
    char text[1024];
    const char *field[16];
    bool quoted[16];
    int n_fields;
    bool multi_line; /* a quoted field ran over a line end */
} csv_rec;

/*
 * Parses the RFC 4180 record at *pos (doubled quotes inside quotes, quotes only at the start
 * of a field), advancing *pos past its line end. False at the end of the input.
 */
static bool csv_next(const bk_buf *b, size_t *pos, csv_rec *r)
{
    size_t i = *pos;
    if (i >= b->len) {
        return false;
    }
    size_t k = 0;
    r->n_fields = 0;
    r->multi_line = false;
    for (;;) {
        assert_true(r->n_fields < 16);
        r->field[r->n_fields] = r->text + k;
        r->quoted[r->n_fields] = false;
        if (i < b->len && b->ptr[i] == '"') {
            r->quoted[r->n_fields] = true;
            i++;
            for (;;) {
                assert_true(i < b->len); /* unterminated at the end of the input */
                if (b->ptr[i] == '"') {
                    if (i + 1 < b->len && b->ptr[i + 1] == '"') {
                        r->text[k++] = '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                r->multi_line |= b->ptr[i] == '\n';
                r->text[k++] = b->ptr[i++];
                assert_true(k < sizeof(r->text) - 1);
            }
        }
        while (i < b->len && b->ptr[i] != ',' && b->ptr[i] != '\n') {
            r->text[k++] = b->ptr[i++];
            assert_true(k < sizeof(r->text) - 1);
        }
        r->text[k++] = '\0';
        r->n_fields++;
        if (i >= b->len || b->ptr[i] == '\n') {
            *pos = i + 1;
            return true;
        }
        i++; /* the comma */
    }
}

static bool all_digits(const char *s, size_t min_len, size_t max_len)
{
    size_t n = strlen(s);
    if (n < min_len || n > max_len) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
    }
    return true;
}

static bool is_stock_code(const char *s)
{
    static const char *const specials[] = {"POST",         "DOT",       "M", "C2",   "D",
                                           "BANK CHARGES", "AMAZONFEE", "S", "CRUK", "PADS"};
    for (size_t i = 0; i < BK_ARRAY_LEN(specials); i++) {
        if (strcmp(s, specials[i]) == 0) {
            return true;
        }
    }
    size_t n = strlen(s);
    char digits[6] = {0};
    if (n < 5 || n > 6) {
        return false;
    }
    memcpy(digits, s, 5);
    bool letter_ok = n == 5 || (s[5] >= 'A' && s[5] <= 'Z') || (s[5] >= 'a' && s[5] <= 'z');
    return all_digits(digits, 5, 5) && letter_ok;
}

static bool parse_int(const char *s, long long *out)
{
    char *end;
    if (*s == '\0') {
        return false;
    }
    *out = strtoll(s, &end, 10);
    return *end == '\0';
}

/* "2010-12-01 08:26:00": a valid date, not a Saturday, 6:00-20:59, whole minutes. */
static bool parse_spark_date(const char *s, int32_t *out_days, int *out_hour)
{
    if (strlen(s) != 19 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' ||
        s[16] != ':' || strcmp(s + 17, "00") != 0) {
        return false;
    }
    int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8), hh = atoi(s + 11), mm = atoi(s + 14);
    if (!bk_date_valid_ymd(y, m, d) || hh < 6 || hh > 20 || mm > 59) {
        return false;
    }
    *out_days = bk_date_from_ymd(y, m, d);
    *out_hour = hh;
    return true;
}

/* Monday = 0; 2000-01-01 (day 0) was a Saturday. */
static int weekday(int32_t days)
{
    return (int)(((days + 5) % 7 + 7) % 7);
}

/* Python float repr of a price with at most 3 decimals: "18.0", "2.1", "2.55", "0.001". */
static bool is_price_repr(const char *s)
{
    const char *dot = strchr(s, '.');
    if (dot == NULL || dot == s) {
        return false;
    }
    size_t int_len = (size_t)(dot - s);
    size_t frac_len = strlen(dot + 1);
    char int_part[32];
    if (int_len >= sizeof(int_part) || frac_len < 1 || frac_len > 3) {
        return false;
    }
    memcpy(int_part, s, int_len);
    int_part[int_len] = '\0';
    if (!all_digits(int_part, 1, 8) || !all_digits(dot + 1, 1, 3)) {
        return false;
    }
    if (int_len > 1 && s[0] == '0') {
        return false;
    }
    /* No trailing zero except the one of "X.0". */
    return frac_len == 1 || dot[frac_len] != '0';
}

/* Checks the shape of a well-formed line; fills the day and the quantity. */
static bool line_is_well_formed(const csv_rec *r, int32_t *out_day, long long *out_qty)
{
    if (r->n_fields != 8 || r->multi_line) {
        return false;
    }
    const char *inv = r->field[0];
    bool cancel = inv[0] == 'C';
    if (!all_digits(cancel ? inv + 1 : inv, 6, 9) || !is_stock_code(r->field[1])) {
        return false;
    }
    const char *desc = r->field[2];
    if (r->quoted[2] && strchr(desc, ',') == NULL && strchr(desc, '"') == NULL) {
        return false; /* quoted only when needed */
    }
    long long qty;
    int hour;
    if (!parse_int(r->field[3], &qty) || qty == 0 || qty < INT32_MIN || qty > INT32_MAX ||
        (cancel && qty > 0) || !parse_spark_date(r->field[4], out_day, &hour) ||
        !is_price_repr(r->field[5])) {
        return false;
    }
    const char *cust = r->field[6];
    size_t cust_len = strlen(cust);
    if (cust_len > 0) {
        char id[16];
        if (cust_len < 3 || cust_len > 12 || strcmp(cust + cust_len - 2, ".0") != 0) {
            return false;
        }
        memcpy(id, cust, cust_len - 2);
        id[cust_len - 2] = '\0';
        if (!all_digits(id, 5, 9)) {
            return false;
        }
    }
    *out_qty = qty;
    return r->field[7][0] != '\0' && weekday(*out_day) != 5;
}

/* ---------------------------------------------------------------------------------------- */
/* Determinism and counts                                                                   */

static void test_gen_same_seed_gives_same_rows(void **state)
{
    (void)state;
    bk_buf a = gen_csv(30000, 7, 0.0);
    bk_buf b = gen_csv(30000, 7, 0.0);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.ptr, b.ptr, a.len);
    bk_buf_free(&a);
    bk_buf_free(&b);

    /* The row interface replays the same sequence too. */
    bk_gen *g1 = gen_new(5000, 7, 0.0);
    bk_gen *g2 = gen_new(5000, 7, 0.0);
    bk_retail_row r1, r2;
    while (bk_gen_next(g1, &r1)) {
        assert_true(bk_gen_next(g2, &r2));
        assert_true(bk_str_eq(r1.invoice_no, r2.invoice_no));
        assert_true(bk_str_eq(r1.stock_code, r2.stock_code));
        assert_int_equal(r1.quantity, r2.quantity);
        assert_int_equal(r1.invoice_date, r2.invoice_date);
        assert_true(r1.unit_price == r2.unit_price);
        assert_int_equal(r1.customer_id, r2.customer_id);
    }
    assert_false(bk_gen_next(g2, &r2));
    bk_gen_destroy(g1);
    bk_gen_destroy(g2);
}

static void test_gen_different_seed_gives_different_rows(void **state)
{
    (void)state;
    bk_buf a = gen_csv(2000, 1, 0.0);
    bk_buf b = gen_csv(2000, 2, 0.0);
    assert_false(a.len == b.len && memcmp(a.ptr, b.ptr, a.len) == 0);
    bk_buf_free(&a);
    bk_buf_free(&b);
}

static void test_gen_row_count_is_exact(void **state)
{
    (void)state;
    static const uint64_t counts[] = {0, 1, 2, 17, 1000, 54321};
    for (size_t i = 0; i < BK_ARRAY_LEN(counts); i++) {
        bk_gen *g = gen_new(counts[i], 42, 0.0);
        bk_retail_row row;
        uint64_t n = 0;
        while (bk_gen_next(g, &row)) {
            n++;
        }
        assert_int_equal(n, counts[i]);
        assert_false(bk_gen_next(g, &row)); /* stays at the end */
        bk_gen_destroy(g);

        bk_buf out = gen_csv(counts[i], 42, 0.0);
        size_t lines = 0;
        for (size_t k = 0; k < out.len; k++) {
            lines += out.ptr[k] == '\n';
        }
        assert_int_equal(lines, counts[i]);
        bk_buf_free(&out);
    }
}

static void test_gen_csv_header_is_the_spark_header(void **state)
{
    (void)state;
    assert_string_equal(
        bk_gen_csv_header(),
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n");
}

static void test_gen_create_rejects_bad_options(void **state)
{
    (void)state;
    bk_gen_options opt = {.rows = 10, .seed = 1, .bad_row_rate = -0.1};
    assert_null(bk_gen_create(&opt));
    opt.bad_row_rate = 1.5;
    assert_null(bk_gen_create(&opt));
    opt.bad_row_rate = NAN;
    assert_null(bk_gen_create(&opt));
    assert_null(bk_gen_create(NULL));
    bk_gen_destroy(NULL);
}

/* ---------------------------------------------------------------------------------------- */
/* CSV layout                                                                               */

static void test_gen_csv_lines_have_eight_well_formed_fields(void **state)
{
    (void)state;
    bk_buf out = gen_csv(50000, 3, 0.0);
    size_t pos = 0;
    csv_rec r;
    uint64_t n = 0, quoted = 0;
    int32_t prev_day = INT32_MIN;
    long long prev_no = 0;
    while (csv_next(&out, &pos, &r)) {
        int32_t day;
        long long qty;
        assert_true(line_is_well_formed(&r, &day, &qty));
        quoted += r.quoted[2];
        /* Invoice-date order, and invoice numbers that never decrease. */
        assert_true(day >= prev_day);
        prev_day = day;
        const char *inv = r.field[0][0] == 'C' ? r.field[0] + 1 : r.field[0];
        long long no = atoll(inv);
        assert_true(no >= prev_no);
        prev_no = no;
        n++;
    }
    assert_int_equal(n, 50000);
    assert_true(quoted > 0); /* some descriptions hold a comma or a quote */
    bk_buf_free(&out);
}

/* bk_gen_next and bk_gen_next_csv describe the same rows. */
static void test_gen_next_matches_next_csv(void **state)
{
    (void)state;
    bk_gen *g_row = gen_new(20000, 11, 0.0);
    bk_gen *g_csv = gen_new(20000, 11, 0.0);
    bk_buf out = {0};
    bk_retail_row row;
    bk_rc rc;
    bool saw_scale[4] = {false, false, false, false};
    while (bk_gen_next(g_row, &row)) {
        bk_buf_clear(&out);
        assert_true(bk_gen_next_csv(g_csv, &out, &rc));
        size_t pos = 0;
        csv_rec r;
        assert_true(csv_next(&out, &pos, &r));
        assert_int_equal(r.n_fields, 8);
        assert_true(bk_str_eq_cstr(row.invoice_no, r.field[0]));
        assert_true(bk_str_eq_cstr(row.stock_code, r.field[1]));
        if (row.has_description) {
            assert_true(bk_str_eq_cstr(row.description, r.field[2]));
        } else {
            assert_string_equal(r.field[2], "");
        }
        assert_int_equal(row.quantity, atoll(r.field[3]));

        int64_t ts;
        bk_error err = {0};
        assert_int_equal(bk_parse_timestamp(bk_str_from_cstr(r.field[4]), &ts, &err), BK_OK);
        assert_int_equal(row.invoice_date, ts);

        /* The price text is the value at its scale: 2.55 -> 255/2, 18.0 -> 180/1. */
        char price[BK_FORMAT_MAX + 1];
        size_t plen = bk_format_numeric(row.unit_price, row.unit_price_scale, price);
        price[plen] = '\0';
        assert_string_equal(price, r.field[5]);
        assert_in_range(row.unit_price_scale, 1, 3);
        saw_scale[row.unit_price_scale] = true;

        if (row.has_customer_id) {
            char cust[32];
            snprintf(cust, sizeof(cust), "%d.0", row.customer_id);
            assert_string_equal(cust, r.field[6]);
        } else {
            assert_string_equal(r.field[6], "");
        }
        assert_true(bk_str_eq_cstr(row.country, r.field[7]));
    }
    assert_false(bk_gen_next_csv(g_csv, &out, &rc));
    assert_int_equal(rc, BK_OK);
    assert_true(saw_scale[1] && saw_scale[2]);
    bk_buf_free(&out);
    bk_gen_destroy(g_row);
    bk_gen_destroy(g_csv);
}

/* ---------------------------------------------------------------------------------------- */
/* Malformed lines                                                                          */

static void test_gen_bad_row_rate_zero_gives_no_malformed_lines(void **state)
{
    (void)state;
    bk_buf out = gen_csv(20000, 5, 0.0);
    size_t pos = 0;
    csv_rec r;
    while (csv_next(&out, &pos, &r)) {
        int32_t day;
        long long qty;
        assert_true(line_is_well_formed(&r, &day, &qty));
    }
    bk_buf_free(&out);
}

static void test_gen_bad_row_rate_injects_malformed_lines(void **state)
{
    (void)state;
    bk_buf good = gen_csv(20000, 5, 0.0);
    bk_buf bad = gen_csv(20000, 5, 0.05);
    size_t pos_good = 0, pos_bad = 0;
    csv_rec g, b;
    uint64_t n = 0, n_bad = 0, n_multi_line = 0, n_columns = 0;
    while (csv_next(&bad, &pos_bad, &b)) {
        /* Each malformed line takes the place of one good line: records stay aligned. */
        assert_true(csv_next(&good, &pos_good, &g));
        int32_t day;
        long long qty;
        if (line_is_well_formed(&b, &day, &qty)) {
            /* The good lines are the lines of the run without malformed ones. */
            assert_int_equal(b.n_fields, g.n_fields);
            for (int i = 0; i < b.n_fields; i++) {
                assert_string_equal(b.field[i], g.field[i]);
            }
        } else {
            n_bad++;
            n_multi_line += b.multi_line;
            n_columns += b.n_fields != 8;
        }
        n++;
    }
    assert_false(csv_next(&good, &pos_good, &g));
    assert_int_equal(n, 20000);
    /* 5% of 20,000 = 1,000; the binomial spread is about 31. */
    assert_in_range(n_bad, 850, 1150);
    assert_true(n_multi_line > 0); /* the unterminated quote runs into the next line */
    assert_true(n_columns > n_multi_line);
    bk_buf_free(&good);
    bk_buf_free(&bad);
}

/* ---------------------------------------------------------------------------------------- */
/* Statistics (loaders/RETAIL_STATS.md)                                                     */

#define MAX_CUSTOMER 200000

static void test_gen_statistics_match_the_real_data(void **state)
{
    (void)state;
    const uint64_t rows = 200000;
    bk_gen *g = gen_new(rows, 42, 0.0);
    uint8_t *customer_seen = calloc(MAX_CUSTOMER, 1);
    uint8_t *code_seen = calloc(100000 * 128, 1); /* 5 digits, then the letter or 0 */
    assert_non_null(customer_seen);
    assert_non_null(code_seen);
    bk_retail_row row;
    uint64_t n = 0, no_customer = 0, cancel_rows = 0, uk = 0, saturday = 0, nov = 0, feb = 0;
    uint64_t customers = 0, codes = 0, invoices = 0, qty_one = 0, non_cancel = 0;
    int32_t first_day = INT32_MAX, last_day = INT32_MIN;
    char prev_invoice[32] = "";
    while (bk_gen_next(g, &row)) {
        n++;
        int32_t day = (int32_t)(row.invoice_date / BK_USECS_PER_DAY);
        int hour = (int)(row.invoice_date % BK_USECS_PER_DAY / (3600 * BK_USECS_PER_SEC));
        assert_in_range(hour, 6, 20);
        first_day = BK_MIN(first_day, day);
        last_day = BK_MAX(last_day, day);
        saturday += weekday(day) == 5;
        int y, m, d;
        bk_date_to_ymd(day, &y, &m, &d);
        nov += m == 11;
        feb += m == 2;
        bool cancel = row.invoice_no.len > 0 && row.invoice_no.ptr[0] == 'C';
        cancel_rows += cancel;
        if (cancel) {
            assert_true(row.quantity < 0);
        } else {
            non_cancel++;
            qty_one += row.quantity == 1;
        }
        no_customer += !row.has_customer_id;
        uk += bk_str_eq_cstr(row.country, "United Kingdom");
        if (row.has_customer_id) {
            assert_in_range(row.customer_id, 12346, MAX_CUSTOMER - 1);
            customers += customer_seen[row.customer_id] == 0;
            customer_seen[row.customer_id] = 1;
        }
        if (row.stock_code.len >= 5 && row.stock_code.ptr[0] >= '0' &&
            row.stock_code.ptr[0] <= '9') {
            uint32_t code = 0;
            for (size_t i = 0; i < 5; i++) {
                code = code * 10 + (uint32_t)(row.stock_code.ptr[i] - '0');
            }
            code =
                code * 128 + (row.stock_code.len == 6 ? (uint8_t)row.stock_code.ptr[5] % 128 : 0);
            codes += code_seen[code] == 0;
            code_seen[code] = 1;
        }
        if (!bk_str_eq_cstr(row.invoice_no, prev_invoice)) {
            invoices++;
            assert_true(row.invoice_no.len < sizeof(prev_invoice));
            memcpy(prev_invoice, row.invoice_no.ptr, row.invoice_no.len);
            prev_invoice[row.invoice_no.len] = '\0';
        }
    }
    assert_int_equal(n, rows);
    /* The real calendar, with no Saturday trading. */
    assert_int_equal(first_day, bk_date_from_ymd(2010, 12, 1));
    assert_true(last_day <= bk_date_from_ymd(2011, 12, 9));
    assert_int_equal(saturday, 0);
    /* Real: 24.9% of rows without CustomerID, 1.71% cancellation rows, 91.4% UK. */
    assert_in_range(no_customer * 1000 / rows, 230, 270);
    assert_in_range(cancel_rows * 10000 / rows, 130, 220);
    assert_in_range(uk * 1000 / rows, 880, 945);
    /* Seasonality: November has 3.06 times the rows of February. */
    assert_in_range(nov * 100 / feb, 250, 360);
    /* Scaled: 4,372 customers and 25,900 invoices at 541,909 rows. */
    uint64_t want_customers = 4372 * rows / REAL_ROWS;
    uint64_t want_invoices = 25900 * rows / REAL_ROWS;
    assert_in_range(customers, want_customers * 90 / 100, want_customers * 101 / 100);
    assert_in_range(invoices, want_invoices * 85 / 100, want_invoices * 115 / 100);
    /* Quantity 1 on 27.8% of the non-cancellation lines; a few thousand stock codes. */
    assert_in_range(qty_one * 1000 / non_cancel, 240, 320);
    assert_in_range(codes, 3000, 4200);
    free(customer_seen);
    free(code_seen);
    bk_gen_destroy(g);
}

/* Above 541,909 rows, the span and the customer base grow. */
static void test_gen_scales_span_beyond_the_real_size(void **state)
{
    (void)state;
    bk_gen *g = gen_new(2 * REAL_ROWS, 9, 0.0);
    bk_retail_row row;
    int32_t last_day = 0;
    int32_t max_customer = 0;
    while (bk_gen_next(g, &row)) {
        last_day = (int32_t)(row.invoice_date / BK_USECS_PER_DAY);
        if (row.has_customer_id && row.customer_id > max_customer) {
            max_customer = row.customer_id;
        }
    }
    bk_gen_destroy(g);
    /* 374 * sqrt(2) = 528 days from 2010-12-01: to May 2012. Customers: 4,372 * 1.9. */
    assert_true(last_day > bk_date_from_ymd(2012, 4, 15));
    assert_true(last_day < bk_date_from_ymd(2012, 6, 15));
    assert_true(max_customer > 12346 + 4372 * 3 / 2);
}

/* ---------------------------------------------------------------------------------------- */
/* Out of memory                                                                            */

static void test_gen_create_fails_cleanly_on_oom(void **state)
{
    (void)state;
    bk_gen_options opt = {.rows = 1000, .seed = 1, .bad_row_rate = 0.0};
    for (uint64_t k = 0;; k++) {
        bk_fault_alloc_arm(k, false);
        bk_gen *g = bk_gen_create(&opt);
        bk_fault_alloc_disarm();
        if (g != NULL) {
            assert_true(k > 3);
            bk_gen_destroy(g);
            break;
        }
        assert_true(k < 10000);
    }
}

static void test_gen_next_csv_oom_loses_no_row(void **state)
{
    (void)state;
    bk_buf expect = gen_csv(3, 4, 0.0);
    bk_gen *g = gen_new(3, 4, 0.0);
    bk_buf out = {0};
    bk_rc rc = BK_OK;
    bk_fault_alloc_arm(0, true);
    assert_false(bk_gen_next_csv(g, &out, &rc));
    bk_fault_alloc_disarm();
    assert_int_equal(rc, BK_ERR);
    while (bk_gen_next_csv(g, &out, &rc)) {
    }
    assert_int_equal(rc, BK_OK);
    assert_int_equal(out.len, expect.len);
    assert_memory_equal(out.ptr, expect.ptr, out.len);
    bk_buf_free(&out);
    bk_buf_free(&expect);
    bk_gen_destroy(g);
}

/* ---------------------------------------------------------------------------------------- */
/* Loading into a table                                                                     */

static void test_gen_load_commits_all_rows(void **state)
{
    (void)state;
    bk_error err = {0};
    bk_db *db = bk_db_create();
    assert_non_null(db);
    bk_table *t = bk_retail_table(db, &err);
    assert_non_null(t);
    bk_load_stats stats;
    assert_int_equal(bk_gen_load(t, 5000, 42, &stats, &err), BK_OK);
    assert_int_equal(stats.rows_loaded, 5000);
    assert_int_equal(stats.rows_rejected, 0);
    assert_true(stats.seconds >= 0.0);
    bk_snap *snap = bk_snap_take(db, &err);
    assert_non_null(snap);
    assert_int_equal(bk_snap_rows(snap, t), 5000);
    bk_snap_release(snap);
    bk_db_destroy(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gen_same_seed_gives_same_rows),
        cmocka_unit_test(test_gen_different_seed_gives_different_rows),
        cmocka_unit_test(test_gen_row_count_is_exact),
        cmocka_unit_test(test_gen_csv_header_is_the_spark_header),
        cmocka_unit_test(test_gen_create_rejects_bad_options),
        cmocka_unit_test(test_gen_csv_lines_have_eight_well_formed_fields),
        cmocka_unit_test(test_gen_next_matches_next_csv),
        cmocka_unit_test(test_gen_bad_row_rate_zero_gives_no_malformed_lines),
        cmocka_unit_test(test_gen_bad_row_rate_injects_malformed_lines),
        cmocka_unit_test(test_gen_statistics_match_the_real_data),
        cmocka_unit_test(test_gen_scales_span_beyond_the_real_size),
        cmocka_unit_test(test_gen_create_fails_cleanly_on_oom),
        cmocka_unit_test(test_gen_next_csv_oom_loses_no_row),
        cmocka_unit_test(test_gen_load_commits_all_rows),
    };
    return bk_run_group_tests("loaders/gen", tests, NULL, NULL);
}
