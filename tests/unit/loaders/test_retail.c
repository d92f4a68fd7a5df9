/* SPDX-License-Identifier: Apache-2.0 */
/*
 * loaders/retail.c: Online Retail CSV files into `transactions`. Each test writes a small CSV
 * into a temporary directory, loads it with bk_retail_load_file and reads the table back with
 * a scan, rendering every row as "invoice|stock|description|qty|date|price|customer|country|
 * revenue|is_cancellation" (NULL for SQL NULL) so expectations read like query output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bk_test.h"
#include "loaders/loaders.h"

typedef struct fixture {
    char *dir;
    bk_db *db;
    bk_table *t;
    int n_files;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->dir = bk_test_tmpdir_create("retail");
    f->db = bk_db_create();
    assert_non_null(f->db);
    bk_error err;
    bk_error_clear(&err);
    f->t = bk_retail_table(f->db, &err);
    assert_non_null(f->t);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    bk_db_destroy(f->db);
    bk_test_tmpdir_remove(f->dir);
    free(f);
    return 0;
}

/* Writes `len` bytes to a new file in the fixture's directory; returns its path (heap). */
static char *write_file(fixture *f, const char *data, size_t len)
{
    char *path = malloc(strlen(f->dir) + 32);
    assert_non_null(path);
    sprintf(path, "%s/in%d.csv", f->dir, f->n_files++);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
    return path;
}

static uint64_t committed_rows(fixture *f)
{
    bk_error err;
    bk_error_clear(&err);
    bk_snap *s = bk_snap_take(f->db, &err);
    assert_non_null(s);
    uint64_t n = bk_snap_rows(s, f->t);
    bk_snap_release(s);
    return n;
}

static void put_value(bk_buf *out, const bk_vec *v, uint32_t i)
{
    char tmp[BK_FORMAT_MAX];
    size_t n = 0;
    if (bk_vec_is_null(v, i)) {
        assert_int_equal(bk_buf_append(out, "NULL", 4), BK_OK);
        return;
    }
    switch (v->type.id) {
    case BK_TYPE_TEXT: {
        bk_str s = ((const bk_str *)v->data)[i];
        assert_int_equal(bk_buf_append(out, s.ptr, s.len), BK_OK);
        return;
    }
    case BK_TYPE_INT4:
        n = bk_format_int64(((const int32_t *)v->data)[i], tmp);
        break;
    case BK_TYPE_TIMESTAMP:
        n = bk_format_timestamp(((const int64_t *)v->data)[i], tmp);
        break;
    case BK_TYPE_NUMERIC:
        n = bk_format_numeric(((const bk_i128 *)v->data)[i], v->scale[i], tmp);
        break;
    case BK_TYPE_BOOL:
        n = bk_format_bool(((const uint8_t *)v->data)[i], tmp);
        break;
    default:
        fail_msg("unexpected column type %d", (int)v->type.id);
    }
    assert_int_equal(bk_buf_append(out, tmp, n), BK_OK);
}

/* Rows [from, end) of `transactions` in the current snapshot, one line each. Heap string. */
static char *dump_rows(fixture *f, uint64_t from)
{
    bk_error err;
    bk_error_clear(&err);
    bk_snap *s = bk_snap_take(f->db, &err);
    assert_non_null(s);
    uint32_t cols[BK_RETAIL_N_COLS];
    for (uint32_t c = 0; c < BK_RETAIL_N_COLS; c++) {
        cols[c] = c;
    }
    bk_scan *sc = bk_scan_open(s, f->t, cols, BK_RETAIL_N_COLS, from, UINT64_MAX, &err);
    assert_non_null(sc);
    bk_buf out = {0};
    for (;;) {
        bk_batch *b;
        assert_int_equal(bk_scan_next(sc, &b, &err), BK_OK);
        if (b == NULL) {
            break;
        }
        for (uint32_t r = 0; r < b->n_rows; r++) {
            for (uint32_t c = 0; c < b->n_cols; c++) {
                if (c > 0) {
                    assert_int_equal(bk_buf_append_byte(&out, '|'), BK_OK);
                }
                put_value(&out, &b->cols[c], r);
            }
            assert_int_equal(bk_buf_append_byte(&out, '\n'), BK_OK);
        }
    }
    bk_scan_close(sc);
    bk_snap_release(s);
    assert_int_equal(bk_buf_append_byte(&out, 0), BK_OK);
    char *res = strdup(out.ptr);
    assert_non_null(res);
    bk_buf_free(&out);
    return res;
}

static void expect_rows(fixture *f, uint64_t from, const char *want)
{
    char *got = dump_rows(f, from);
    if (strcmp(got, want) != 0) {
        static char copy[8192];
        snprintf(copy, sizeof copy, "%s", got);
        free(got);
        fail_msg("table rows from %llu:\n%s\nexpected:\n%s", (unsigned long long)from, copy, want);
    }
    free(got);
}

/* Loads `csv` (a string literal) and returns the rc; stats and err are filled. */
static bk_rc load(fixture *f,
                  const char *csv,
                  size_t len,
                  uint64_t max_errors,
                  bk_load_stats *stats,
                  bk_error *err)
{
    char *path = write_file(f, csv, len);
    bk_error_clear(err);
    memset(stats, 0xAB, sizeof *stats);
    bk_rc rc = bk_retail_load_file(f->t, path, max_errors, stats, err);
    free(path);
    return rc;
}

#define LOAD(f, lit, max_errors, stats, err) \
 load((f), (lit), sizeof(lit) - 1, (max_errors), (stats), (err))

#define HDR_I  "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
#define HDR_II "Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country\n"

/* ---- tests -------------------------------------------------------------------------------- */

static void test_retail_schema(void **state)
{
    fixture *f = *state;
    const bk_column_def *cols = bk_retail_columns();
    assert_string_equal(cols[BK_RETAIL_INVOICE_NO].name, "invoice_no");
    assert_string_equal(cols[BK_RETAIL_REVENUE].name, "revenue");
    assert_int_equal(cols[BK_RETAIL_UNIT_PRICE].type.id, BK_TYPE_NUMERIC);
    assert_false(cols[BK_RETAIL_CUSTOMER_ID].not_null);
    assert_false(cols[BK_RETAIL_DESCRIPTION].not_null);
    assert_int_equal(bk_table_column_count(f->t), BK_RETAIL_N_COLS);
    bk_error err;
    bk_error_clear(&err);
    /* A second call returns the existing table. */
    assert_ptr_equal(bk_retail_table(f->db, &err), f->t);
    assert_string_equal(bk_table_name(f->t), "transactions");
}

static void test_retail_online_retail_layout(void **state)
{
    fixture *f = *state;
    bk_load_stats st;
    bk_error err;
    static const char csv[] =
        HDR_I "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,12/1/2010 8:26,2.55,17850.0,"
              "United Kingdom\n"
              "536365,71053,WHITE METAL LANTERN,6,12/1/2010 8:26,3.39,17850.0,United Kingdom\n"
              "C536379,D,Discount,-1,12/1/2010 9:41,27.5,14527.0,United Kingdom\n"
              "536370,22728,\"ALARM CLOCK BAKELIKE PINK, \"\"RED\"\"\",24,12/1/2010 8:45,3.75,"
              "12583.0,France\n";
    assert_int_equal(LOAD(f, csv, 10, &st, &err), BK_OK);
    assert_false(err.is_set);
    assert_int_equal(st.rows_loaded, 4);
    assert_int_equal(st.rows_rejected, 0);
    assert_int_equal(st.bytes, sizeof csv - 1);
    assert_true(st.seconds >= 0);
    assert_int_equal(committed_rows(f), 4);
    expect_rows(f, 0,
                "536365|85123A|WHITE HANGING HEART T-LIGHT HOLDER|6|2010-12-01 08:26:00|2.55|17850|"
                "United Kingdom|15.30|f\n"
                "536365|71053|WHITE METAL LANTERN|6|2010-12-01 08:26:00|3.39|17850|United "
                "Kingdom|20.34|f\n"
                "C536379|D|Discount|-1|2010-12-01 09:41:00|27.5|14527|United Kingdom|-27.5|t\n"
                "536370|22728|ALARM CLOCK BAKELIKE PINK, \"RED\"|24|2010-12-01 08:45:00|3.75|12583|"
                "France|90.00|f\n");
}

static void test_retail_online_retail_ii_layout(void **state)
{
    fixture *f = *state;
    bk_load_stats st;
    bk_error err;
    static const char csv[] =
        HDR_II "489434,85048,15CM CHRISTMAS GLASS BALL 20 LIGHTS,12,2009-12-01 07:45:00,6.95,13085,"
               "United Kingdom\r\n"
               "489434,79323P,PINK CHERRY LIGHTS,12,2009-12-01 07:45:00,6.75,13085.0,United "
               "Kingdom\r\n"
               "C489449,22087,PAPER BUNTING WHITE LACE,-12,2009-12-01 10:33:00,2.95,,Australia\r\n"
               "489436,21232,,48,2009-12-01 09:06:00,1.25,,United Kingdom\r\n";
    assert_int_equal(LOAD(f, csv, 0, &st, &err), BK_OK);
    assert_int_equal(st.rows_loaded, 4);
    assert_int_equal(st.rows_rejected, 0);
    expect_rows(
        f, 0,
        "489434|85048|15CM CHRISTMAS GLASS BALL 20 LIGHTS|12|2009-12-01 07:45:00|6.95|13085|"
        "United Kingdom|83.40|f\n"
        "489434|79323P|PINK CHERRY LIGHTS|12|2009-12-01 07:45:00|6.75|13085|United "
        "Kingdom|81.00|f\n"
        "C489449|22087|PAPER BUNTING WHITE LACE|-12|2009-12-01 10:33:00|2.95|NULL|"
        "Australia|-35.40|t\n"
        "489436|21232|NULL|48|2009-12-01 09:06:00|1.25|NULL|United Kingdom|60.00|f\n");
}

static void test_retail_columns_in_any_order(void **state)
{
    fixture *f = *state;
    bk_load_stats st;
    bk_error err;
    static const char csv[] =
        "Country,Customer ID,Price,InvoiceDate,Quantity,Description,StockCode,"
        "Invoice\n"
        "Norway,12433.0,0.85,2010-12-01 13:04:00,-3,RED RETROSPOT BOWL,"
        "22199,C536391\n"
        "EIRE,,1,12/31/2010 23:59,5,,POST,536400\n";
    assert_int_equal(LOAD(f, csv, 0, &st, &err), BK_OK);
    assert_int_equal(st.rows_loaded, 2);
    expect_rows(
        f, 0,
        "C536391|22199|RED RETROSPOT BOWL|-3|2010-12-01 13:04:00|0.85|12433|Norway|-2.55|t\n"
        "536400|POST|NULL|5|2010-12-31 23:59:00|1|NULL|EIRE|5|f\n");
}

static void test_retail_header_variants(void **state)
{
    fixture *f = *state;
    bk_load_stats st;
    bk_error err;
    /* A UTF-8 BOM before the header, snake_case names and a blank trailing line. */
    static const char csv[] = "\xEF\xBB\xBFinvoice_no,stock_code,description,quantity,invoice_date,"
                              "unit_price,customer_id,country\n"
                              "1,A,x,1,2011-01-02 03:04:05,0.5,7,UK\n"
                              "\n";
    assert_int_equal(LOAD(f, csv, 0, &st, &err), BK_OK);
    assert_int_equal(st.rows_loaded, 1);
    assert_int_equal(st.rows_rejected, 0);
    expect_rows(f, 0, "1|A|x|1|2011-01-02 03:04:05|0.5|7|UK|0.5|f\n");
}

static void test_retail_quoted_empty_description_is_empty_string(void **state)
{
    fixture *f = *state;
    bk_load_stats st;
    bk_error err;
    /* PostgreSQL's CSV rule: unquoted empty is NULL, quoted empty is ''. */
    static const char csv[] = HDR_I "1,A,\"\",1,2011-01-02 03:04,1.00,\"\",UK\n";
    assert_int_equal(LOAD(f, csv, 0, &st, &err), BK_OK);
    assert_int_equal(st.rows_loaded, 1);
    expect_rows(f, 0, "1|A||1|2011-01-02 03:04:00|1.00|NULL|UK|1.00|f\n");
}

static void test_retail_rejects_bad_rows_and_loads_good_ones(void **state)
{
    fixture *f = *state;
    bk_load_stats st;
    bk_error err;
    static const char csv[] = HDR_I "1,A,good one,2,2011-01-02 03:04,1.5,1,UK\n"
                                    "2,B,too few columns,2,2011-01-02 03:04,1.5,UK\n"
                                    "3,C,too many,2,2011-01-02 03:04,1.5,1,UK,extra\n"
                                    "4,D,bad qty,two,2011-01-02 03:04,1.5,1,UK\n"
                                    "5,E,bad date,2,2011-13-45 03:04,1.5,1,UK\n"
                                    "6,F,bad utf8 \xff\xfe,2,2011-01-02 03:04,1.5,1,UK\n"
                                    "7,G,bad price,2,2011-01-02 03:04,1.5.5,1,UK\n"
                                    "8,H,fractional customer,2,2011-01-02 03:04,1.5,17850.5,UK\n"
                                    ",I,no invoice,2,2011-01-02 03:04,1.5,1,UK\n"
                                    "10,J,no country,2,2011-01-02 03:04,1.5,1,\n"
                                    "11,K,qty overflow,2147483648,2011-01-02 03:04,1.5,1,UK\n"
                                    "12,L,overlong utf8 \xc0\xaf,2,2011-01-02 03:04,1.5,1,UK\n"
                                    "13,M,good two,3,2011-01-02 03:04,2,2,UK\n";
    assert_int_equal(LOAD(f, csv, 100, &st, &err), BK_OK);
    assert_false(err.is_set);
    assert_int_equal(st.rows_loaded, 2);
    assert_int_equal(st.rows_rejected, 11);
    expect_rows(f, 0,
                "1|A|good one|2|2011-01-02 03:04:00|1.5|1|UK|3.0|f\n"
                "13|M|good two|3|2011-01-02 03:04:00|2|2|UK|6|f\n");
}

static void test_retail_max_errors_exceeded_commits_nothing(void **state)
{
    fixture *f = *state;
    bk_load_stats st;
    bk_error err;
    /* Something already in the table must stay exactly as it is. */
    static const char first[] = HDR_I "1,A,x,1,2011-01-02 03:04,1,1,UK\n";
    assert_int_equal(LOAD(f, first, 0, &st, &err), BK_OK);
    assert_int_equal(committed_rows(f), 1);

    /* 3000 good rows (more than one appended batch), then three bad ones, max_errors = 2. */
    bk_buf csv = {0};
    assert_int_equal(bk_buf_append(&csv, HDR_II, strlen(HDR_II)), BK_OK);
    for (int i = 0; i < 3000; i++) {
        assert_int_equal(bk_buf_printf(&csv, "%d,S%d,item,%d,2010-12-01 08:26:00,1.25,%d,UK\n",
                                       500000 + i, i, i % 7 + 1, 12000 + i),
                         BK_OK);
    }
    for (int i = 0; i < 3; i++) {
        assert_int_equal(bk_buf_printf(&csv, "9,X,bad,NaN,2010-12-01 08:26:00,1,1,UK\n"), BK_OK);
    }
    assert_int_equal(load(f, csv.ptr, csv.len, 2, &st, &err), BK_ERR);
    assert_true(err.is_set);
    assert_string_equal(bk_sqlstate_str(err.code), "22P04");
    assert_int_equal(st.rows_loaded, 0);
    assert_int_equal(st.rows_rejected, 3);
    assert_int_equal(committed_rows(f), 1);
    expect_rows(f, 0, "1|A|x|1|2011-01-02 03:04:00|1|1|UK|1|f\n");

    /* The same file with max_errors = 3 loads the good rows; the table stays usable. */
    assert_int_equal(load(f, csv.ptr, csv.len, 3, &st, &err), BK_OK);
    assert_int_equal(st.rows_loaded, 3000);
    assert_int_equal(st.rows_rejected, 3);
    assert_int_equal(committed_rows(f), 3001);
    char *rows = dump_rows(f, 3000);
    assert_string_equal(rows, "502999|S2999|item|4|2010-12-01 08:26:00|1.25|14999|UK|5.00|f\n");
    free(rows);
    bk_buf_free(&csv);

    /* max_errors = 0: the first bad row fails the load. */
    static const char one_bad[] = HDR_I "1,A,x,1,2011-01-02 03:04,1,1,UK\n"
                                        "2,B,x,1,not a date,1,1,UK\n";
    assert_int_equal(LOAD(f, one_bad, 0, &st, &err), BK_ERR);
    assert_string_equal(bk_sqlstate_str(err.code), "22P04");
    assert_int_equal(committed_rows(f), 3001);
}

static void test_retail_unstorable_values_are_rejected_rows(void **state)
{
    fixture *f = *state;
    bk_load_stats st;
    bk_error err;
    /*
     * Values that parse but cannot be stored (a price of 21 digits; a revenue of 1e19) are
     * malformed rows: counted in rows_rejected like any other, not a failure of the whole
     * load (whose limit is max_errors).
     */
    static const char csv[] =
        HDR_I "1,A,ok,1,2011-01-02 03:04,1,1,UK\n"
              "2,B,huge price,1,2011-01-02 03:04,123456789012345678901,1,UK\n"
              "3,C,huge revenue,1000,2011-01-02 03:04,10000000000000000,1,UK\n"
              "4,D,ok,2,2011-01-02 03:04,1,1,UK\n";
    bk_rc rc = LOAD(f, csv, 10, &st, &err);
    if (rc != BK_OK) {
        fail_msg("load failed with %s: %s (rows_rejected %llu)", bk_sqlstate_str(err.code),
                 err.message, (unsigned long long)st.rows_rejected);
    }
    assert_int_equal(st.rows_loaded, 2);
    assert_int_equal(st.rows_rejected, 2);
    expect_rows(f, 0,
                "1|A|ok|1|2011-01-02 03:04:00|1|1|UK|1|f\n"
                "4|D|ok|2|2011-01-02 03:04:00|1|1|UK|2|f\n");
}

static void test_retail_file_level_errors(void **state)
{
    fixture *f = *state;
    bk_load_stats st;
    bk_error err;
    /* A header without the Online Retail columns. */
    static const char bad_header[] = "a,b,c\n1,2,3\n";
    assert_int_equal(LOAD(f, bad_header, 100, &st, &err), BK_ERR);
    assert_string_equal(bk_sqlstate_str(err.code), "22P04");
    assert_int_equal(st.rows_loaded, 0);
    /* Empty file. */
    assert_int_equal(load(f, "", 0, 100, &st, &err), BK_ERR);
    assert_string_equal(bk_sqlstate_str(err.code), "22P04");
    /* Unterminated quote in the last row. */
    static const char open_quote[] = HDR_I "1,A,\"never closed,1,2011-01-02 03:04,1,1,UK\n";
    assert_int_equal(LOAD(f, open_quote, 100, &st, &err), BK_ERR);
    assert_string_equal(bk_sqlstate_str(err.code), "22P04");
    /* Missing file. */
    char *missing = malloc(strlen(f->dir) + 32);
    assert_non_null(missing);
    sprintf(missing, "%s/does-not-exist.csv", f->dir);
    bk_error_clear(&err);
    assert_int_equal(bk_retail_load_file(f->t, missing, 0, &st, &err), BK_ERR);
    free(missing);
    assert_string_equal(bk_sqlstate_str(err.code), "58P01");
    assert_int_equal(committed_rows(f), 0);
    /* Header only: a successful load of nothing. */
    assert_int_equal(LOAD(f, HDR_II, 0, &st, &err), BK_OK);
    assert_int_equal(st.rows_loaded, 0);
    assert_int_equal(committed_rows(f), 0);
}

static void test_retail_sink_derives_revenue_and_cancellation(void **state)
{
    fixture *f = *state;
    bk_error err;
    bk_error_clear(&err);
    bk_retail_sink *s = bk_retail_sink_create(f->t, &err);
    assert_non_null(s);
    bk_retail_row row = {
        .invoice_no = BK_STR_LIT("C1"),
        .stock_code = BK_STR_LIT("S"),
        .description = BK_STR_LIT(""),
        .has_description = false,
        .quantity = -4,
        .invoice_date = 0,
        .unit_price = 1234, /* 1.234 */
        .unit_price_scale = 3,
        .has_customer_id = false,
        .country = BK_STR_LIT("X"),
    };
    assert_int_equal(bk_retail_sink_add(s, &row, &err), BK_OK);
    row.invoice_no = BK_STR_LIT("2C");
    row.quantity = 3;
    row.has_customer_id = true;
    row.customer_id = 42;
    row.description = BK_STR_LIT("d");
    row.has_description = true;
    assert_int_equal(bk_retail_sink_add(s, &row, &err), BK_OK);
    /* Nothing is visible before the commit. */
    assert_int_equal(committed_rows(f), 0);
    assert_int_equal(bk_retail_sink_commit(s, &err), BK_OK);
    expect_rows(f, 0,
                "C1|S|NULL|-4|2000-01-01 00:00:00|1.234|NULL|X|-4.936|t\n"
                "2C|S|d|3|2000-01-01 00:00:00|1.234|42|X|3.702|f\n");
    /* An aborted sink leaves nothing behind. */
    s = bk_retail_sink_create(f->t, &err);
    assert_non_null(s);
    assert_int_equal(bk_retail_sink_add(s, &row, &err), BK_OK);
    bk_retail_sink_abort(s);
    assert_int_equal(committed_rows(f), 2);
    bk_retail_sink_abort(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_retail_schema, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retail_online_retail_layout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retail_online_retail_ii_layout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retail_columns_in_any_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retail_header_variants, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retail_quoted_empty_description_is_empty_string, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_retail_rejects_bad_rows_and_loads_good_ones, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_retail_max_errors_exceeded_commits_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_retail_unstorable_values_are_rejected_rows, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_retail_file_level_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retail_sink_derives_revenue_and_cancellation, setup,
                                        teardown),
    };
    return bk_run_group_tests("loaders/retail", tests, NULL, NULL);
}
