/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Result encoding in text format: RowDescription (which also carries the format codes a
 * portal's Bind chose) and DataRow, each value printed exactly as PostgreSQL prints it
 * (query's bk_value_to_text). Binary values are format_binary.c's.
 */
#include "protocol_int.h"

bk_rc pq_row_description(bk_buf *out, const bk_result_desc *rd)
{
    return pq_row_description_formats(out, rd, NULL);
}

bk_rc pq_row_description_formats(bk_buf *out, const bk_result_desc *rd, const int16_t *formats)
{
    size_t m;
    if (pq_begin(out, 'T', &m) != BK_OK || pq_put_int16(out, (int16_t)rd->n_cols) != BK_OK) {
        return BK_ERR;
    }
    for (uint32_t i = 0; i < rd->n_cols; i++) {
        const bk_column_desc *c = &rd->cols[i];
        if (pq_put_cstr(out, c->name) != BK_OK ||
            pq_put_int32(out, (int32_t)c->table_oid) != BK_OK ||
            pq_put_int16(out, c->attnum) != BK_OK ||
            pq_put_int32(out, (int32_t)c->type.oid) != BK_OK ||
            pq_put_int16(out, bk_type_pg_len(c->type)) != BK_OK ||
            pq_put_int32(out, c->type.typmod) != BK_OK ||
            pq_put_int16(out, formats != NULL ? formats[i] : 0) != BK_OK) {
            return BK_ERR;
        }
    }
    return pq_end(out, m);
}

bk_rc pq_data_rows(const bk_session *s, bk_buf *out, const bk_batch *b)
{
    for (uint32_t r = 0; r < b->n_rows; r++) {
        size_t m;
        if (pq_begin(out, 'D', &m) != BK_OK || pq_put_int16(out, (int16_t)b->n_cols) != BK_OK) {
            return BK_ERR;
        }
        for (uint32_t c = 0; c < b->n_cols; c++) {
            const bk_vec *v = &b->cols[c];
            if (bk_vec_is_null(v, r)) {
                if (pq_put_int32(out, -1) != BK_OK) {
                    return BK_ERR;
                }
                continue;
            }
            size_t len_at = out->len;
            if (pq_put_int32(out, 0) != BK_OK || bk_value_to_text(s, v, r, out) != BK_OK) {
                return BK_ERR;
            }
            size_t len = out->len - len_at - 4;
            if (len > INT32_MAX) {
                return BK_ERR;
            }
            bk_put_be32((uint8_t *)out->ptr + len_at, (uint32_t)len);
        }
        if (pq_end(out, m) != BK_OK) {
            return BK_ERR;
        }
    }
    return BK_OK;
}
