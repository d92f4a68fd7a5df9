/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The libpg_query adapter: SQL text -> PostgreSQL 15 parse tree (protobuf, unpacked with
 * protobuf-c into our arena). Only this file and the binder see libpg_query's types.
 *
 * libpg_query reports syntax errors with PostgreSQL's message and a 1-based character
 * cursor position, which we pass through unchanged; the binder converts node locations
 * (0-based byte offsets) with bk_sql_position.
 */
#include <string.h>

#include "query_int.h"

static void *pb_alloc(void *data, size_t size)
{
    return bk_arena_alloc(data, size);
}

static void pb_free(void *data, void *ptr)
{
    (void)data;
    (void)ptr; /* arena memory is released with the arena */
}

int32_t bk_sql_position(const char *sql, int32_t location)
{
    if (location < 0) {
        return 0;
    }
    /* Count characters (UTF-8 lead bytes) before the byte offset. */
    int32_t chars = 0;
    for (int32_t i = 0; i < location && sql[i] != '\0'; i++) {
        if (((unsigned char)sql[i] & 0xC0) != 0x80) {
            chars++;
        }
    }
    return chars + 1;
}

/*
 * An upper bound of the expression nesting a statement can produce, from its tokens alone.
 * libpg_query's parser is iterative (bison), but turning its tree into protobuf and unpacking
 * that are recursive: `select 1+1+...+1` with a few thousand terms would overflow the stack
 * there, before the binder's own depth check could answer 54001. So nesting is bounded
 * before parsing: every parenthesis, bracket and CASE opens a level, and within a level each
 * operator-like token since the last separator (comma, semicolon, or a keyword such as AND,
 * OR, WHEN, FROM, which the grammar does not nest) may add one. The bound is never below the
 * real depth; it overestimates harmlessly for long flat operator chains.
 */
#define MAX_NESTING BK_QUERY_MAX_NESTING
#define LEVEL_STACK 4096

static bool operator_like(PgQuery__Token t)
{
    switch ((int)t) {
    case '%':
    case '*':
    case '+':
    case '-':
    case '/':
    case '<':
    case '=':
    case '>':
    case '^':
    case PG_QUERY__TOKEN__Op:
    case PG_QUERY__TOKEN__TYPECAST:
    case PG_QUERY__TOKEN__LESS_EQUALS:
    case PG_QUERY__TOKEN__GREATER_EQUALS:
    case PG_QUERY__TOKEN__NOT_EQUALS:
    case PG_QUERY__TOKEN__NOT:
    case PG_QUERY__TOKEN__NOT_LA:
    case PG_QUERY__TOKEN__IS:
    case PG_QUERY__TOKEN__LIKE:
    case PG_QUERY__TOKEN__ILIKE:
    case PG_QUERY__TOKEN__SIMILAR:
    case PG_QUERY__TOKEN__BETWEEN:
    case PG_QUERY__TOKEN__IN_P:
    case PG_QUERY__TOKEN__COLLATE:
    case PG_QUERY__TOKEN__UMINUS:
        return true;
    default:
        return false;
    }
}

/* Returns the 0-based byte offset where nesting passes the limit, or -1 if it never does. */
static int32_t nesting_excess(const char *sql, bk_arena *arena)
{
    PgQueryScanResult r = pg_query_scan(sql);
    if (r.error != NULL) {
        pg_query_free_scan_result(r);
        return -1; /* the parser reports the lexical error */
    }
    ProtobufCAllocator alloc = {.alloc = pb_alloc, .free = pb_free, .allocator_data = arena};
    PgQuery__ScanResult *sr =
        pg_query__scan_result__unpack(&alloc, r.pbuf.len, (const uint8_t *)r.pbuf.data);
    pg_query_free_scan_result(r);
    if (sr == NULL) {
        return -1;
    }
    static _Thread_local uint32_t chain[LEVEL_STACK];
    uint32_t level = 0;
    chain[0] = 0;
    for (size_t i = 0; i < sr->n_tokens; i++) {
        const PgQuery__ScanToken *t = sr->tokens[i];
        int tok = (int)t->token;
        if (tok == '(' || tok == '[' || tok == PG_QUERY__TOKEN__CASE) {
            if (++level >= LEVEL_STACK) {
                return t->start;
            }
            chain[level] = 0;
        } else if (tok == ')' || tok == ']' || tok == PG_QUERY__TOKEN__END_P) {
            if (level > 0) {
                level--;
            }
        } else if (operator_like(t->token)) {
            chain[level]++;
        } else if (tok == ',' || tok == ';' ||
                   t->keyword_kind != PG_QUERY__KEYWORD_KIND__NO_KEYWORD) {
            chain[level] = 0;
        }
        if (level + chain[level] > MAX_NESTING) {
            return t->start;
        }
    }
    return -1;
}

bk_parsed *bk_query_parse(const char *sql, bk_arena *arena, bk_error *err)
{
    bk_parsed *p = bk_arena_zalloc(arena, sizeof *p);
    size_t len = strlen(sql);
    char *copy = p != NULL ? bk_arena_strndup(arena, sql, len) : NULL;
    if (copy == NULL) {
        bk_raise(err, OUT_OF_MEMORY, "out of memory");
        return NULL;
    }
    p->sql = copy;
    int32_t deep_at = nesting_excess(copy, arena);
    if (deep_at >= 0) {
        bk_raise(err, STATEMENT_TOO_COMPLEX, "stack depth limit exceeded");
        bk_error_hint(err, "Simplify the statement: expressions may nest at most %d levels deep.",
                      MAX_NESTING);
        bk_error_set_position(err, bk_sql_position(copy, deep_at));
        return NULL;
    }
    PgQueryProtobufParseResult r = pg_query_parse_protobuf(copy);
    if (r.error != NULL) {
        bk_raise(err, SYNTAX_ERROR, "%s", r.error->message);
        bk_error_set_position(err, r.error->cursorpos);
        pg_query_free_protobuf_parse_result(r);
        return NULL;
    }
    ProtobufCAllocator alloc = {.alloc = pb_alloc, .free = pb_free, .allocator_data = arena};
    p->tree = pg_query__parse_result__unpack(&alloc, r.parse_tree.len,
                                             (const uint8_t *)r.parse_tree.data);
    pg_query_free_protobuf_parse_result(r);
    if (p->tree == NULL) {
        bk_raise(err, OUT_OF_MEMORY, "out of memory");
        return NULL;
    }
    return p;
}

bk_rc bk_sql_paren_span(const char *sql,
                        int32_t from,
                        bk_arena *arena,
                        int32_t *start,
                        int32_t *end)
{
    PgQueryScanResult r = pg_query_scan(sql);
    if (r.error != NULL) {
        pg_query_free_scan_result(r);
        return BK_ERR;
    }
    ProtobufCAllocator alloc = {.alloc = pb_alloc, .free = pb_free, .allocator_data = arena};
    PgQuery__ScanResult *sr =
        pg_query__scan_result__unpack(&alloc, r.pbuf.len, (const uint8_t *)r.pbuf.data);
    pg_query_free_scan_result(r);
    if (sr == NULL) {
        return BK_ERR;
    }
    int depth = 0;
    for (size_t i = 0; i < sr->n_tokens; i++) {
        const PgQuery__ScanToken *t = sr->tokens[i];
        if (t->start < from) {
            continue;
        }
        if (t->token == '(') {
            if (depth++ == 0) {
                *start = t->end;
            }
        } else if (t->token == ')' && depth > 0 && --depth == 0) {
            *end = t->start;
            return BK_OK;
        }
    }
    return BK_ERR;
}

uint32_t bk_parsed_count(const bk_parsed *p)
{
    return (uint32_t)p->tree->n_stmts;
}
