/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The extended query protocol (PostgreSQL protocol documentation, "Extended Query"): Parse,
 * Bind, Describe, Execute, Close and Flush; Sync, the transaction end, is session.c's. Every
 * answer, and every error with its SQLSTATE and message, is PostgreSQL 15's, in PostgreSQL's
 * order (postgres.c exec_parse_message, exec_bind_message, exec_describe_*_message,
 * exec_execute_message), checked message by message against a real server.
 *
 * Objects and lifetimes (STYLE.md section 4):
 *   - A prepared statement owns an arena (its text, parse tree and plan), a child of
 *     c->stmt_arena, whose limit caps all statements of the connection: a client preparing
 *     statements forever gets 53200, not an ever-growing server. Named statements live until
 *     Close (or DISCARD ALL); the unnamed one until the next Parse of the unnamed statement or
 *     the next simple Query.
 *   - A portal owns an arena (parameter bytes, format codes) and a second one under which the
 *     engine creates the execution's query arena, so that execution memory is limited by the
 *     engine's per-query limit, not by the portal budget (what the portals hold at Bind,
 *     counted in c->portal_bytes against bk_pq_config.portal_memory_limit: 53200 beyond).
 *     Portals belong to the transaction: Sync, a simple Query and any error close them all,
 *     as in PostgreSQL's autocommit mode.
 *   - A portal holds a reference to its statement: closing or replacing a statement that a
 *     portal still uses unlinks it at once and frees it with its last portal, as PostgreSQL's
 *     plan cache reference counts do.
 *
 * Names are looked up by their first 63 bytes, as PostgreSQL's hash tables do (NAMEDATALEN).
 *
 * Execute streams like the simple Query: rows go out batch by batch, and when the output
 * passes its high-water mark the Execute is suspended (PQ_SUSPENDED) and resumed by the next
 * bk_pq_process call with pq_execute_resume, before any further message is read. A row limit
 * sends PortalSuspended after exactly that many rows, without fetching ahead; the next
 * Execute continues where it stopped.
 *
 * Known differences from PostgreSQL: the CONTEXT field ("unnamed portal parameter $1") is not
 * sent; when one Bind carries several faults, framing and format-code errors of later
 * parameters are reported before value errors of earlier ones (PostgreSQL checks parameter by
 * parameter); parameter values of an empty statement are not converted.
 */
#include <stdio.h>
#include <string.h>

#include "protocol_int.h"

/* ---- name tables ------------------------------------------------------------------------- */

/* The lookup key of a name: its first PQ_NAME_MAX bytes. */
static uint64_t name_key(const char *name, size_t len, char key[PQ_NAME_MAX + 1])
{
    size_t n = BK_MIN(len, (size_t)PQ_NAME_MAX);
    memcpy(key, name, n);
    key[n] = '\0';
    return bk_hash64(key, n);
}

static pq_name_entry *names_find(const pq_names *t, const char *name, size_t len)
{
    if (t->n_buckets == 0) {
        return NULL;
    }
    char key[PQ_NAME_MAX + 1];
    uint64_t h = name_key(name, len, key);
    for (pq_name_entry *e = t->buckets[h & (t->n_buckets - 1)]; e != NULL; e = e->next_in_bucket) {
        if (e->hash == h && strcmp(e->key, key) == 0) {
            return e;
        }
    }
    return NULL;
}

/* Doubles the bucket array; on OOM the table keeps working with longer chains. */
static void names_grow(pq_names *t)
{
    size_t n = t->n_buckets * 2;
    pq_name_entry **b = bk_mem_calloc(n, sizeof *b);
    if (b == NULL) {
        return;
    }
    for (size_t i = 0; i < t->n_buckets; i++) {
        pq_name_entry *e = t->buckets[i];
        while (e != NULL) {
            pq_name_entry *next = e->next_in_bucket;
            size_t at = e->hash & (n - 1);
            e->next_in_bucket = b[at];
            b[at] = e;
            e = next;
        }
    }
    bk_mem_free(t->buckets);
    t->buckets = b;
    t->n_buckets = n;
}

/* Inserts `e` (its key set, not present). BK_ERR only when no bucket array can be made. */
static bk_rc names_insert(pq_names *t, pq_name_entry *e)
{
    if (t->n_buckets == 0) {
        t->buckets = bk_mem_calloc(16, sizeof *t->buckets);
        if (t->buckets == NULL) {
            return BK_ERR;
        }
        t->n_buckets = 16;
    } else if (t->count >= t->n_buckets) {
        names_grow(t);
    }
    size_t at = e->hash & (t->n_buckets - 1);
    e->next_in_bucket = t->buckets[at];
    t->buckets[at] = e;
    t->count++;
    return BK_OK;
}

static void names_remove(pq_names *t, pq_name_entry *e)
{
    if (t->n_buckets == 0) {
        return;
    }
    pq_name_entry **pp = &t->buckets[e->hash & (t->n_buckets - 1)];
    for (; *pp != NULL; pp = &(*pp)->next_in_bucket) {
        if (*pp == e) {
            *pp = e->next_in_bucket;
            e->next_in_bucket = NULL;
            t->count--;
            return;
        }
    }
}

static void names_free(pq_names *t)
{
    bk_mem_free(t->buckets);
    *t = (pq_names){0};
}

/* ---- statements -------------------------------------------------------------------------- */

static void stmt_free(bk_pq_conn *c, pq_stmt *st)
{
    if (st->prev != NULL) {
        st->prev->next = st->next;
    } else {
        c->stmts = st->next;
    }
    if (st->next != NULL) {
        st->next->prev = st->prev;
    }
    bk_arena_destroy(st->arena); /* st itself lives there */
}

/* Removes a statement from view (Close, replacement); freed now or with its last portal. */
static void stmt_drop(bk_pq_conn *c, pq_stmt *st)
{
    if (c->unnamed_stmt == st) {
        c->unnamed_stmt = NULL;
    } else {
        names_remove(&c->stmt_names, &st->entry);
    }
    if (st->n_portals == 0) {
        stmt_free(c, st);
    } else {
        st->dropped = true;
    }
}

static pq_stmt *stmt_find(bk_pq_conn *c, const char *name, size_t len)
{
    if (len == 0) {
        return c->unnamed_stmt;
    }
    pq_name_entry *e = names_find(&c->stmt_names, name, len);
    return e != NULL ? (pq_stmt *)(void *)((char *)e - offsetof(pq_stmt, entry)) : NULL;
}

static pq_result stmt_missing(bk_pq_conn *c, const char *name, size_t len)
{
    if (len == 0) {
        bk_raise(&c->err, UNDEFINED_PSTATEMENT, "unnamed prepared statement does not exist");
    } else {
        bk_raise(&c->err, UNDEFINED_PSTATEMENT, "prepared statement \"%s\" does not exist", name);
    }
    return PQ_FAILED;
}

/* ---- portals ----------------------------------------------------------------------------- */

static pq_portal *portal_find(bk_pq_conn *c, const char *name, size_t len)
{
    pq_name_entry *e = names_find(&c->portal_names, name, len);
    return e != NULL ? (pq_portal *)(void *)((char *)e - offsetof(pq_portal, entry)) : NULL;
}

static void portal_destroy(bk_pq_conn *c, pq_portal *p)
{
    BK_ASSERT(!c->exec.active || c->exec.portal != p);
    names_remove(&c->portal_names, &p->entry);
    if (p->prev != NULL) {
        p->prev->next = p->next;
    } else {
        c->portals = p->next;
    }
    if (p->next != NULL) {
        p->next->prev = p->prev;
    }
    bk_exec_close(p->exec);
    c->portal_bytes -= p->charged;
    pq_stmt *st = p->stmt;
    bk_arena_destroy(p->exec_arena);
    bk_arena_destroy(p->arena); /* p itself lives there */
    if (st != NULL) {
        st->n_portals--;
        if (st->dropped && st->n_portals == 0) {
            stmt_free(c, st);
        }
    }
}

void pq_portals_drop_all(bk_pq_conn *c)
{
    c->exec.active = false;
    while (c->portals != NULL) {
        portal_destroy(c, c->portals);
    }
}

void pq_simple_query_begins(bk_pq_conn *c)
{
    pq_portals_drop_all(c);
    if (c->unnamed_stmt != NULL) {
        stmt_drop(c, c->unnamed_stmt);
    }
}

static void stmts_drop_all(bk_pq_conn *c)
{
    if (c->unnamed_stmt != NULL) {
        stmt_drop(c, c->unnamed_stmt);
    }
    for (pq_stmt *st = c->stmts; st != NULL;) {
        pq_stmt *next = st->next;
        if (!st->dropped) {
            stmt_drop(c, st);
        }
        st = next;
    }
}

void pq_after_command(bk_pq_conn *c, const char *tag)
{
    /* DISCARD ALL includes CLOSE ALL and DEALLOCATE ALL, whose objects live here. */
    if (strcmp(tag, "DISCARD ALL") == 0) {
        pq_portals_drop_all(c);
        stmts_drop_all(c);
    } else if (strcmp(tag, "DEALLOCATE ALL") == 0) {
        stmts_drop_all(c);
    }
}

void pq_extended_destroy(bk_pq_conn *c)
{
    pq_portals_drop_all(c);
    c->unnamed_stmt = NULL;
    while (c->stmts != NULL) {
        stmt_free(c, c->stmts);
    }
    names_free(&c->stmt_names);
    names_free(&c->portal_names);
}

/* ---- Parse ------------------------------------------------------------------------------- */

static pq_result simple_answer(bk_buf *out, char type)
{
    size_t m;
    if (pq_begin(out, type, &m) != BK_OK || pq_end(out, m) != BK_OK) {
        return PQ_BROKEN;
    }
    return PQ_DONE;
}

static void note_statement_limit(bk_pq_conn *c)
{
    if (c->err.code == BK_ERRCODE_OUT_OF_MEMORY && c->err.detail[0] == '\0') {
        bk_error_detail(&c->err,
                        "The prepared statements of a connection may use at most %zu bytes; "
                        "close statements that are no longer needed.",
                        c->cfg.statement_memory_limit);
    }
}

static pq_result on_parse(bk_pq_conn *c, pq_reader *r, bk_buf *out)
{
    const char *name, *sql;
    size_t name_len, sql_len;
    uint16_t n_types;
    if (pq_get_cstr(r, &name, &name_len, &c->err) != BK_OK ||
        pq_get_cstr(r, &sql, &sql_len, &c->err) != BK_OK ||
        pq_get_uint16(r, &n_types, &c->err) != BK_OK) {
        return PQ_FAILED;
    }
    const uint8_t *types;
    if (pq_get_bytes(r, (int32_t)n_types * 4, &types, &c->err) != BK_OK ||
        pq_get_end(r, &c->err) != BK_OK) {
        return PQ_FAILED;
    }
    if (name_len == 0 && c->unnamed_stmt != NULL) {
        stmt_drop(c, c->unnamed_stmt); /* before parsing, as PostgreSQL */
    }
    if (c->stmt_arena == NULL) {
        /* Created on first use: a connection that never prepares pays nothing for it. */
        c->stmt_arena =
            bk_arena_create(c->arena, "prepared statements", c->cfg.statement_memory_limit);
    }
    bk_arena *a =
        c->stmt_arena != NULL ? bk_arena_create(c->stmt_arena, "prepared statement", 0) : NULL;
    pq_stmt *st = a != NULL ? bk_arena_zalloc(a, sizeof *st) : NULL;
    uint32_t *declared = st != NULL ? bk_arena_alloc(a, (size_t)n_types * 4 + 4) : NULL;
    if (declared == NULL) {
        bk_arena_destroy(a);
        bk_raise(&c->err, OUT_OF_MEMORY, "out of memory");
        note_statement_limit(c);
        return PQ_FAILED;
    }
    st->arena = a;
    for (uint32_t i = 0; i < n_types; i++) {
        declared[i] = bk_get_be32(types + 4 * (size_t)i);
    }
    bk_parsed *parsed = bk_query_parse(sql, a, &c->err);
    if (parsed == NULL) {
        goto failed;
    }
    uint32_t n_stmts = bk_parsed_count(parsed);
    if (n_stmts > 1) {
        bk_raise(&c->err, SYNTAX_ERROR,
                 "cannot insert multiple commands into a prepared statement");
        goto failed;
    }
    if (n_stmts == 1) {
        /* A non-NULL array even for no declared types: $n are allowed here. */
        st->stmt = bk_stmt_prepare(c->session, parsed, 0, declared, n_types, a, &c->err);
        if (st->stmt == NULL) {
            goto failed;
        }
        st->n_params = bk_stmt_param_count(st->stmt);
        st->param_oids = bk_arena_alloc(a, (size_t)st->n_params * 4 + 4);
        if (st->param_oids == NULL) {
            bk_raise(&c->err, OUT_OF_MEMORY, "out of memory");
            goto failed;
        }
        for (uint32_t i = 0; i < st->n_params; i++) {
            st->param_oids[i] = bk_stmt_param_type(st->stmt, i).oid;
        }
    } else {
        /* An empty query string: no plan, the declared parameters only. */
        st->n_params = n_types;
        st->param_oids = declared;
        for (uint32_t i = 0; i < n_types; i++) {
            bk_type t;
            if (declared[i] == 0) {
                declared[i] = BK_OID_TEXT;
            } else if (!bk_type_from_oid(declared[i], &t)) {
                bk_raise(&c->err, UNDEFINED_OBJECT, "type with OID %u does not exist", declared[i]);
                goto failed;
            }
        }
    }
    st->entry.hash = name_key(name, name_len, st->entry.key);
    if (name_len > 0) {
        if (stmt_find(c, name, name_len) != NULL) {
            bk_raise(&c->err, DUPLICATE_PSTATEMENT, "prepared statement \"%s\" already exists",
                     name);
            goto failed;
        }
        if (names_insert(&c->stmt_names, &st->entry) != BK_OK) {
            bk_raise(&c->err, OUT_OF_MEMORY, "out of memory");
            goto failed;
        }
    } else {
        c->unnamed_stmt = st;
    }
    st->next = c->stmts;
    if (c->stmts != NULL) {
        c->stmts->prev = st;
    }
    c->stmts = st;
    return simple_answer(out, '1');
failed:
    note_statement_limit(c);
    bk_arena_destroy(a);
    return PQ_FAILED;
}

/* ---- Bind -------------------------------------------------------------------------------- */

static pq_result on_bind(bk_pq_conn *c, pq_reader *r, bk_buf *out)
{
    const char *pname, *sname;
    size_t pname_len, sname_len;
    uint16_t n_pformats, n_params;
    const uint8_t *pformats;
    if (pq_get_cstr(r, &pname, &pname_len, &c->err) != BK_OK ||
        pq_get_cstr(r, &sname, &sname_len, &c->err) != BK_OK ||
        pq_get_uint16(r, &n_pformats, &c->err) != BK_OK ||
        pq_get_bytes(r, (int32_t)n_pformats * 2, &pformats, &c->err) != BK_OK ||
        pq_get_uint16(r, &n_params, &c->err) != BK_OK) {
        return PQ_FAILED;
    }
    if (n_pformats > 1 && n_pformats != n_params) {
        bk_raise(&c->err, PROTOCOL_VIOLATION,
                 "bind message has %d parameter formats but %d parameters", n_pformats, n_params);
        return PQ_FAILED;
    }
    pq_stmt *st = stmt_find(c, sname, sname_len);
    if (st == NULL) {
        return stmt_missing(c, sname, sname_len);
    }
    if (n_params != st->n_params) {
        bk_raise(&c->err, PROTOCOL_VIOLATION,
                 "bind message supplies %d parameters, but prepared statement \"%s\" requires %u",
                 n_params, sname, st->n_params);
        return PQ_FAILED;
    }
    pq_portal *old = portal_find(c, pname, pname_len);
    if (old != NULL) {
        if (pname_len > 0) {
            bk_raise(&c->err, DUPLICATE_CURSOR, "cursor \"%s\" already exists", pname);
            return PQ_FAILED;
        }
        portal_destroy(c, old); /* the unnamed portal is replaced silently */
    }
    /* Each parameter takes at least its 4-byte length: check before allocating for them. */
    if ((size_t)n_params * 4 > r->len - r->pos) {
        bk_raise(&c->err, PROTOCOL_VIOLATION, "insufficient data left in message");
        return PQ_FAILED;
    }
    bk_arena *a = bk_arena_create(c->arena, "portal", 0);
    pq_portal *p = a != NULL ? bk_arena_zalloc(a, sizeof *p) : NULL;
    bk_param *params = p != NULL ? bk_arena_zalloc(a, sizeof(bk_param) * n_params + 1) : NULL;
    if (params == NULL) {
        bk_arena_destroy(a);
        bk_raise(&c->err, OUT_OF_MEMORY, "out of memory");
        return PQ_FAILED;
    }
    p->arena = a;
    for (uint32_t i = 0; i < n_params; i++) {
        int32_t len;
        const uint8_t *bytes = NULL;
        if (pq_get_int32(r, &len, &c->err) != BK_OK ||
            (len != -1 && pq_get_bytes(r, len, &bytes, &c->err) != BK_OK)) {
            goto failed;
        }
        int16_t fmt = n_pformats == 0   ? 0
                      : n_pformats == 1 ? (int16_t)bk_get_be16(pformats)
                                        : (int16_t)bk_get_be16(pformats + 2 * (size_t)i);
        if (fmt != 0 && fmt != 1) {
            bk_raise(&c->err, INVALID_PARAMETER_VALUE, "unsupported format code: %d", fmt);
            goto failed;
        }
        params[i].is_null = len == -1;
        params[i].is_binary = fmt == 1;
        if (len == -1) {
            continue;
        }
        /* Client-to-server conversion: text values, and binary ones of text types. */
        bool textual = fmt == 0;
        if (!textual && st->stmt != NULL) {
            bk_type t = bk_stmt_param_type(st->stmt, i);
            textual = t.id == BK_TYPE_TEXT && t.oid != BK_OID_CHAR;
        }
        if (textual && pq_check_utf8((const char *)bytes, (size_t)len, &c->err) != BK_OK) {
            goto failed;
        }
        char *copy = bk_arena_memdup(a, bytes, (size_t)len);
        if (copy == NULL) {
            bk_raise(&c->err, OUT_OF_MEMORY, "out of memory");
            goto failed;
        }
        params[i].bytes = (bk_str){copy, (size_t)len};
    }
    uint16_t n_rformats;
    const uint8_t *rformats;
    if (pq_get_uint16(r, &n_rformats, &c->err) != BK_OK ||
        pq_get_bytes(r, (int32_t)n_rformats * 2, &rformats, &c->err) != BK_OK ||
        pq_get_end(r, &c->err) != BK_OK) {
        goto failed;
    }
    if (st->stmt != NULL) {
        p->returns_rows = bk_stmt_returns_rows(st->stmt);
        p->n_cols = bk_stmt_result(st->stmt)->n_cols;
    }
    if (n_rformats > 1 && n_rformats != p->n_cols) {
        bk_raise(&c->err, PROTOCOL_VIOLATION,
                 "bind message has %d result formats but query has %u columns", n_rformats,
                 p->n_cols);
        goto failed;
    }
    p->formats = bk_arena_zalloc(a, sizeof(int16_t) * p->n_cols + 2);
    if (p->formats == NULL) {
        bk_raise(&c->err, OUT_OF_MEMORY, "out of memory");
        goto failed;
    }
    for (uint32_t i = 0; i < p->n_cols && n_rformats > 0; i++) {
        p->formats[i] = (int16_t)bk_get_be16(rformats + (n_rformats == 1 ? 0 : 2 * (size_t)i));
    }
    p->exec_arena = bk_arena_create(c->arena, "portal execution", 0);
    if (p->exec_arena == NULL) {
        bk_raise(&c->err, OUT_OF_MEMORY, "out of memory");
        goto failed;
    }
    if (st->stmt != NULL) {
        p->exec = bk_exec_start(c->session, st->stmt, params, p->exec_arena, &c->err);
        if (p->exec == NULL) {
            goto failed;
        }
    }
    p->charged = bk_arena_bytes(p->arena) + bk_arena_bytes(p->exec_arena);
    if (c->portal_bytes + p->charged > c->cfg.portal_memory_limit) {
        bk_raise(&c->err, OUT_OF_MEMORY, "out of memory");
        bk_error_detail(&c->err,
                        "The open portals of a connection may use at most %zu bytes; send Sync "
                        "or close portals that are no longer needed.",
                        c->cfg.portal_memory_limit);
        goto failed;
    }
    p->entry.hash = name_key(pname, pname_len, p->entry.key);
    if (names_insert(&c->portal_names, &p->entry) != BK_OK) {
        bk_raise(&c->err, OUT_OF_MEMORY, "out of memory");
        goto failed;
    }
    c->portal_bytes += p->charged;
    p->stmt = st;
    st->n_portals++;
    p->next = c->portals;
    if (c->portals != NULL) {
        c->portals->prev = p;
    }
    c->portals = p;
    return simple_answer(out, '2');
failed:
    bk_exec_close(p->exec);
    bk_arena_destroy(p->exec_arena);
    bk_arena_destroy(a);
    return PQ_FAILED;
}

/* ---- Describe ---------------------------------------------------------------------------- */

static pq_result parameter_description(bk_buf *out, const pq_stmt *st)
{
    size_t m;
    if (pq_begin(out, 't', &m) != BK_OK || pq_put_int16(out, (int16_t)st->n_params) != BK_OK) {
        return PQ_BROKEN;
    }
    for (uint32_t i = 0; i < st->n_params; i++) {
        if (pq_put_int32(out, (int32_t)st->param_oids[i]) != BK_OK) {
            return PQ_BROKEN;
        }
    }
    return pq_end(out, m) == BK_OK ? PQ_DONE : PQ_BROKEN;
}

static pq_result on_describe(bk_pq_conn *c, pq_reader *r, bk_buf *out)
{
    uint8_t kind;
    const char *name;
    size_t len;
    if (pq_get_byte(r, &kind, &c->err) != BK_OK || pq_get_cstr(r, &name, &len, &c->err) != BK_OK ||
        pq_get_end(r, &c->err) != BK_OK) {
        return PQ_FAILED;
    }
    if (kind == 'S') {
        pq_stmt *st = stmt_find(c, name, len);
        if (st == NULL) {
            return stmt_missing(c, name, len);
        }
        if (parameter_description(out, st) != PQ_DONE) {
            return PQ_BROKEN;
        }
        if (st->stmt == NULL || !bk_stmt_returns_rows(st->stmt)) {
            return simple_answer(out, 'n');
        }
        return pq_row_description(out, bk_stmt_result(st->stmt)) == BK_OK ? PQ_DONE : PQ_BROKEN;
    }
    if (kind == 'P') {
        pq_portal *p = portal_find(c, name, len);
        if (p == NULL) {
            bk_raise(&c->err, UNDEFINED_CURSOR, "portal \"%s\" does not exist", name);
            return PQ_FAILED;
        }
        if (!p->returns_rows) {
            return simple_answer(out, 'n');
        }
        return pq_row_description_formats(out, bk_stmt_result(p->stmt->stmt), p->formats) == BK_OK
                   ? PQ_DONE
                   : PQ_BROKEN;
    }
    bk_raise(&c->err, PROTOCOL_VIOLATION, "invalid DESCRIBE message subtype %d", kind);
    return PQ_FAILED;
}

/* ---- Execute ----------------------------------------------------------------------------- */

/* CommandComplete: a SELECT counts the rows of this Execute, as PostgreSQL's PortalRun. */
static bk_rc portal_command_complete(bk_buf *out, const pq_portal *p, uint64_t sent)
{
    if (strncmp(p->tag, "SELECT ", 7) == 0) {
        char tag[32];
        snprintf(tag, sizeof tag, "SELECT %llu", (unsigned long long)sent);
        return pq_command_complete(out, tag);
    }
    return pq_command_complete(out, p->tag);
}

pq_result pq_execute_resume(bk_pq_conn *c, bk_buf *out)
{
    pq_execute *x = &c->exec;
    pq_portal *p = x->portal;
    for (;;) {
        if (x->remaining == 0) {
            x->active = false;
            return simple_answer(out, 's');
        }
        if (p->batch != NULL && p->batch_row < p->batch->n_rows) {
            /* printtup checks the codes when the first row goes out, not at Bind. */
            for (uint32_t i = 0; i < p->n_cols; i++) {
                if (p->formats[i] != 0 && p->formats[i] != 1) {
                    x->active = false;
                    bk_raise(&c->err, INVALID_PARAMETER_VALUE, "unsupported format code: %d",
                             p->formats[i]);
                    return PQ_FAILED;
                }
            }
            uint32_t n = p->batch->n_rows - p->batch_row;
            if (x->remaining < n) {
                n = (uint32_t)x->remaining;
            }
            if (pq_data_rows_formats(c->session, out, p->batch, p->batch_row, p->batch_row + n,
                                     p->formats) != BK_OK) {
                x->active = false;
                return PQ_BROKEN;
            }
            p->batch_row += n;
            x->sent += n;
            if (x->remaining != UINT64_MAX) {
                x->remaining -= n;
            }
            if (out->len >= c->cfg.output_high_water) {
                return PQ_SUSPENDED;
            }
            continue;
        }
        if (p->at_end) {
            break;
        }
        bk_batch *b;
        if (bk_exec_next(p->exec, &b, &c->err) != BK_OK) {
            x->active = false;
            return PQ_FAILED;
        }
        if (b == NULL) {
            p->at_end = true;
            p->batch = NULL;
            snprintf(p->tag, sizeof p->tag, "%s", bk_exec_command_tag(p->exec));
            break;
        }
        p->batch = b;
        p->batch_row = 0;
    }
    x->active = false;
    if (portal_command_complete(out, p, x->sent) != BK_OK) {
        return PQ_BROKEN;
    }
    pq_after_command(c, p->tag); /* may close p: nothing below uses it */
    return PQ_DONE;
}

static pq_result on_execute(bk_pq_conn *c, pq_reader *r, bk_buf *out)
{
    const char *name;
    size_t len;
    int32_t max_rows;
    if (pq_get_cstr(r, &name, &len, &c->err) != BK_OK ||
        pq_get_int32(r, &max_rows, &c->err) != BK_OK || pq_get_end(r, &c->err) != BK_OK) {
        return PQ_FAILED;
    }
    pq_portal *p = portal_find(c, name, len);
    if (p == NULL) {
        bk_raise(&c->err, UNDEFINED_CURSOR, "portal \"%s\" does not exist", name);
        return PQ_FAILED;
    }
    if (p->exec == NULL) {
        return simple_answer(out, 'I'); /* an empty query string, every time */
    }
    if (p->at_end && !p->returns_rows) {
        /* A utility portal runs once (PostgreSQL marks it done). */
        bk_raise(&c->err, OBJECT_NOT_IN_PREREQUISITE_STATE, "portal \"%s\" cannot be run", name);
        return PQ_FAILED;
    }
    c->exec = (pq_execute){
        .active = true,
        .portal = p,
        .remaining = max_rows > 0 && p->returns_rows ? (uint64_t)max_rows : UINT64_MAX,
    };
    return pq_execute_resume(c, out);
}

/* ---- Close, Flush ------------------------------------------------------------------------ */

static pq_result on_close(bk_pq_conn *c, pq_reader *r, bk_buf *out)
{
    uint8_t kind;
    const char *name;
    size_t len;
    if (pq_get_byte(r, &kind, &c->err) != BK_OK || pq_get_cstr(r, &name, &len, &c->err) != BK_OK ||
        pq_get_end(r, &c->err) != BK_OK) {
        return PQ_FAILED;
    }
    if (kind == 'S') {
        pq_stmt *st = stmt_find(c, name, len);
        if (st != NULL) {
            stmt_drop(c, st);
        }
    } else if (kind == 'P') {
        pq_portal *p = portal_find(c, name, len);
        if (p != NULL) {
            portal_destroy(c, p);
        }
    } else {
        bk_raise(&c->err, PROTOCOL_VIOLATION, "invalid CLOSE message subtype %d", kind);
        return PQ_FAILED;
    }
    /* Closing what does not exist is not an error. */
    return simple_answer(out, '3');
}

pq_result pq_extended_message(bk_pq_conn *c, char type, const char *body, size_t len, bk_buf *out)
{
    pq_reader r = {(const uint8_t *)body, len, 0};
    switch (type) {
    case 'P':
        return on_parse(c, &r, out);
    case 'B':
        return on_bind(c, &r, out);
    case 'D':
        return on_describe(c, &r, out);
    case 'E':
        return on_execute(c, &r, out);
    case 'C':
        return on_close(c, &r, out);
    case 'H':
        /* Flush: the server sends whatever is produced anyway. */
        return pq_get_end(&r, &c->err) == BK_OK ? PQ_DONE : PQ_FAILED;
    default:
        break;
    }
    bk_raise(&c->err, INTERNAL_ERROR, "not an extended-protocol message");
    return PQ_FAILED;
}
