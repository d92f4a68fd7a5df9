/* SPDX-License-Identifier: Apache-2.0 */
/*
 * common: the bottom layer every module uses. Return codes and PostgreSQL-style errors,
 * arenas, growable buffers and string views, hashing, CPU detection, logging, clocks, the one
 * io_uring wrapper and the fault-injection hooks that tests arm.
 *
 * Interface index:
 *   errors   bk_rc, bk_error, bk_raise, bk_error_*, bk_sqlstate_*
 *   memory   bk_mem_*, bk_xmalloc, bk_arena_*
 *   bytes    bk_str, bk_buf_*
 *   misc     bk_hash*, bk_cpu_*, bk_log*, bk_clock_*
 *   faults   bk_fault_*, BK_CRASHPOINT
 *   ring     bk_ring_* (io_uring)
 */
#ifndef BK_COMMON_COMMON_H
#define BK_COMMON_COMMON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------------------------------- */
/* Compiler helpers                                                                         */

#define BK_NODISCARD      __attribute__((warn_unused_result))
#define BK_PRINTF(f, a)   __attribute__((format(printf, f, a)))
#define BK_NORETURN       __attribute__((noreturn))
#define BK_UNUSED         __attribute__((unused))
#define BK_LIKELY(x)      __builtin_expect(!!(x), 1)
#define BK_UNLIKELY(x)    __builtin_expect(!!(x), 0)
#define BK_FALLTHROUGH    __attribute__((fallthrough))
#define BK_ARRAY_LEN(a)   (sizeof(a) / sizeof((a)[0]))
#define BK_MIN(a, b)      ((a) < (b) ? (a) : (b))
#define BK_MAX(a, b)      ((a) > (b) ? (a) : (b))
#define BK_ALIGN_UP(x, a) (((x) + ((a)-1)) & ~((size_t)(a)-1))

/* Aborts with file and line: for our own bugs, never for input (STYLE §5.7). */
BK_NORETURN void bk_assert_fail(const char *expr, const char *file, int line, const char *func);
#define BK_ASSERT(x)                                 \
 do {                                                \
  if (BK_UNLIKELY(!(x))) {                           \
   bk_assert_fail(#x, __FILE__, __LINE__, __func__); \
  }                                                  \
 } while (0)

/*
 * "Cannot happen, but don't crash production": aborts in debug and test builds, evaluates to
 * the condition in release builds so the caller can take its XX000 error path.
 */
#ifdef BK_DEBUG
# define BK_ALWAYS(x) ((x) ? 1 : (bk_assert_fail(# x, __FILE__, __LINE__, __func__), 0))
# define BK_NEVER(x)  ((x) ? (bk_assert_fail("!" # x, __FILE__, __LINE__, __func__), 1) : 0)
#else
# define BK_ALWAYS(x) (x)
# define BK_NEVER(x)  (x)
#endif

/* ---------------------------------------------------------------------------------------- */
/* Errors: a SQLSTATE from any layer to the wire                                             */

typedef enum bk_rc {
    BK_OK = 0,
    BK_ERR = -1,
    BK_AGAIN = -2, /* need more input, or output space: call again */
} bk_rc;

/* Index into the PostgreSQL 15 code table generated from sqlstate.def. */
typedef enum bk_sqlstate {
#define BK_SQLSTATE(name, code) BK_ERRCODE_##name,
#include "sqlstate.def"
#undef BK_SQLSTATE
    BK_ERRCODE_COUNT_
} bk_sqlstate;

/* The five-character SQLSTATE of `code`, e.g. "42601". Never NULL. */
const char *bk_sqlstate_str(bk_sqlstate code);

typedef enum bk_severity {
    BK_SEV_NOTICE,
    BK_SEV_WARNING,
    BK_SEV_ERROR, /* ends the statement */
    BK_SEV_FATAL, /* ends the session */
    BK_SEV_PANIC, /* ends the process */
} bk_severity;

/* The non-localized severity word PostgreSQL sends in the V field: "ERROR", "FATAL", ... */
const char *bk_severity_str(bk_severity sev);

#define BK_ERROR_MSG_CAP    512
#define BK_ERROR_DETAIL_CAP 512
#define BK_ERROR_HINT_CAP   256

/*
 * The content of PostgreSQL's ErrorData. The text lives in fixed arrays inside the struct,
 * which callers embed in long-lived objects (a connection): reporting an error never
 * allocates, so 53200 out_of_memory can always be reported. Text is truncated to fit.
 */
typedef struct bk_error {
    bool is_set;
    bk_sqlstate code;
    bk_severity severity;
    int32_t position; /* 1-based character offset in the query, 0 = none */
    const char *file; /* static string: source file of the raise */
    int line;
    const char *func;
    char message[BK_ERROR_MSG_CAP];   /* primary message, lower case, no period */
    char detail[BK_ERROR_DETAIL_CAP]; /* "" = none */
    char hint[BK_ERROR_HINT_CAP];     /* "" = none */
} bk_error;

/* Clears `err` for reuse. */
void bk_error_clear(bk_error *err);

/*
 * Records an ERROR with `code` and a printf-formatted primary message. Returns BK_ERR, so
 * that `return bk_raise(err, BK_ERRCODE_X, "...")` is the idiom. A NULL `err` is allowed and
 * records nothing. The first error raised wins: later raises on a set error keep the original
 * (the lowest layer chooses the code; upper layers add context with bk_error_detail).
 */
bk_rc bk_error_set(bk_error *err,
                   bk_sqlstate code,
                   const char *file,
                   int line,
                   const char *func,
                   const char *fmt,
                   ...) BK_PRINTF(6, 7);
#define bk_raise(err, code, ...) \
 bk_error_set((err), BK_ERRCODE_##code, __FILE__, __LINE__, __func__, __VA_ARGS__)

/* Sets detail / hint text (overwrites), and the severity or cursor position of a set error. */
void bk_error_detail(bk_error *err, const char *fmt, ...) BK_PRINTF(2, 3);
void bk_error_hint(bk_error *err, const char *fmt, ...) BK_PRINTF(2, 3);
void bk_error_set_severity(bk_error *err, bk_severity sev);
void bk_error_set_position(bk_error *err, int32_t position);

/* Copies a set error (used to move a worker's error into a connection). */
void bk_error_copy(bk_error *dst, const bk_error *src);

/* ---------------------------------------------------------------------------------------- */
/* Memory                                                                                   */

/*
 * Heap allocation through the fault hook (bk_fault_alloc_*): returns NULL on failure or when
 * a test has armed an allocation failure. Sizes are checked before any allocation.
 */
BK_NODISCARD void *bk_mem_alloc(size_t n);
BK_NODISCARD void *bk_mem_calloc(size_t count, size_t size);
BK_NODISCARD void *bk_mem_realloc(void *p, size_t n);
void bk_mem_free(void *p);

/* Start-up only: aborts the process with a log line when memory is exhausted (zmalloc). */
void *bk_xmalloc(size_t n);
void *bk_xcalloc(size_t count, size_t size);
char *bk_xstrdup(const char *s);

typedef struct bk_arena bk_arena;

/* A cleanup callback registered on an arena; the caller provides the storage (nginx style). */
typedef struct bk_cleanup {
    void (*fn)(void *arg);
    void *arg;
    struct bk_cleanup *next; /* owned by the arena's list */
} bk_cleanup;

/*
 * Creates an arena, a child of `parent` (or a root when NULL). `limit_bytes` caps the memory
 * this arena and its descendants may hold (0 = no limit of its own; ancestors' limits still
 * apply). `name` must be a static string. Returns NULL on OOM.
 */
BK_NODISCARD bk_arena *bk_arena_create(bk_arena *parent, const char *name, size_t limit_bytes);

/* 16-byte aligned memory, valid until reset/destroy. NULL when a limit is hit or on OOM. */
BK_NODISCARD void *bk_arena_alloc(bk_arena *a, size_t n);
BK_NODISCARD void *bk_arena_zalloc(bk_arena *a, size_t n);
BK_NODISCARD void *bk_arena_memdup(bk_arena *a, const void *p, size_t n);
/* NUL-terminated copy of n bytes. */
BK_NODISCARD char *bk_arena_strndup(bk_arena *a, const char *s, size_t n);
BK_NODISCARD char *bk_arena_sprintf(bk_arena *a, const char *fmt, ...) BK_PRINTF(2, 3);
/*
 * Grows an allocation made from `a` (old contents kept). Extends in place when `p` is the
 * arena's most recent allocation.
 */
BK_NODISCARD void *bk_arena_realloc(bk_arena *a, void *p, size_t old_n, size_t new_n);

/* Runs cleanups (newest first), destroys children, releases all memory but the first block. */
void bk_arena_reset(bk_arena *a);
/* Reset, then frees the arena itself and unlinks it from its parent. NULL is a no-op. */
void bk_arena_destroy(bk_arena *a);
/* Registers fn(arg) to run at the next reset or destroy. `c` must live in this arena or longer. */
void bk_arena_on_reset(bk_arena *a, bk_cleanup *c, void (*fn)(void *), void *arg);
/* Bytes currently held from the heap by this arena and its descendants. */
size_t bk_arena_bytes(const bk_arena *a);
const char *bk_arena_name(const bk_arena *a);

/* ---------------------------------------------------------------------------------------- */
/* Bytes: string views and growable buffers                                                 */

/* A (pointer, length) view; never assumed NUL-terminated. */
typedef struct bk_str {
    const char *ptr;
    size_t len;
} bk_str;

#define BK_STR_LIT(s) ((bk_str){(s), sizeof(s) - 1})
bk_str bk_str_from_cstr(const char *s);
bool bk_str_eq(bk_str a, bk_str b);
bool bk_str_eq_cstr(bk_str a, const char *s);
bool bk_str_ieq_cstr(bk_str a, const char *s); /* ASCII case-insensitive */

/* A growable heap buffer (the sds / StringInfo idea). Zero-initialise, then use. */
typedef struct bk_buf {
    char *ptr;
    size_t len;
    size_t cap;
} bk_buf;

/* Ensures room for `extra` more bytes. BK_ERR on OOM or size overflow (buffer unchanged). */
BK_NODISCARD bk_rc bk_buf_reserve(bk_buf *b, size_t extra);
BK_NODISCARD bk_rc bk_buf_append(bk_buf *b, const void *p, size_t n);
BK_NODISCARD bk_rc bk_buf_append_byte(bk_buf *b, uint8_t c);
BK_NODISCARD bk_rc bk_buf_printf(bk_buf *b, const char *fmt, ...) BK_PRINTF(2, 3);
BK_NODISCARD bk_rc bk_buf_vprintf(bk_buf *b, const char *fmt, va_list ap) BK_PRINTF(2, 0);
/* Removes the first n bytes. */
void bk_buf_consume(bk_buf *b, size_t n);
void bk_buf_clear(bk_buf *b);
void bk_buf_free(bk_buf *b);

/* Big-endian stores and loads (the wire protocol's byte order). */
static inline void bk_put_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void bk_put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static inline void bk_put_be64(uint8_t *p, uint64_t v)
{
    bk_put_be32(p, (uint32_t)(v >> 32));
    bk_put_be32(p + 4, (uint32_t)v);
}

static inline uint16_t bk_get_be16(const uint8_t *p)
{
    return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

static inline uint32_t bk_get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t bk_get_be64(const uint8_t *p)
{
    return (uint64_t)bk_get_be32(p) << 32 | bk_get_be32(p + 4);
}

/* ---------------------------------------------------------------------------------------- */
/* Hashing (XXH3; the only place that includes xxhash.h is common/hash.c)                   */

uint64_t bk_hash64(const void *p, size_t n);
uint64_t bk_hash64_seed(const void *p, size_t n, uint64_t seed);

/* A fast, well-mixing hash of a 64-bit key (for integer group and join keys). */
static inline uint64_t bk_hash_u64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

/* Combines two hashes (order-dependent). */
static inline uint64_t bk_hash_combine(uint64_t h, uint64_t v)
{
    return bk_hash_u64(h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2)));
}

/* ---------------------------------------------------------------------------------------- */
/* CPU features and SIMD level                                                              */

typedef enum bk_isa {
    BK_ISA_SCALAR = 0,
    BK_ISA_AVX2 = 1,
    BK_ISA_AVX512 = 2,
} bk_isa;

/* The best level this CPU and OS support. */
bk_isa bk_cpu_best_isa(void);
/*
 * The level to use: the best supported, lowered by BASKET_SIMD=scalar|avx2|avx512 (a request
 * above what the CPU supports falls back to the best supported). Computed once.
 */
bk_isa bk_cpu_isa(void);
const char *bk_isa_name(bk_isa isa);
/* Number of online CPUs (at least 1). */
unsigned bk_cpu_count(void);

/* ---------------------------------------------------------------------------------------- */
/* Logging (PostgreSQL-like lines on stderr)                                                 */

typedef enum bk_log_level {
    BK_LOG_DEBUG,
    BK_LOG_INFO,
    BK_LOG_WARNING,
    BK_LOG_ERROR,
    BK_LOG_FATAL,
} bk_log_level;

void bk_log(bk_log_level level, const char *fmt, ...) BK_PRINTF(2, 3);
void bk_log_set_level(bk_log_level min_level);

/* ---------------------------------------------------------------------------------------- */
/* Clocks (injectable for deterministic tests)                                               */

/* Monotonic nanoseconds. */
uint64_t bk_clock_mono_ns(void);
/* Wall clock, microseconds since the Unix epoch. */
int64_t bk_clock_real_us(void);
/* Test hook: replace both clocks (NULL restores the system clocks). */
void bk_clock_set_source(uint64_t (*mono_ns)(void), int64_t (*real_us)(void));

/* ---------------------------------------------------------------------------------------- */
/* Fault injection (armed only by tests; one predictable branch when disarmed)               */

/*
 * Allocation faults: after `countdown` more successful allocations, the next one fails; with
 * `forever`, every one after it fails too, until bk_fault_alloc_disarm(). Counts allocations
 * made through bk_mem_* and arenas on every thread.
 */
void bk_fault_alloc_arm(uint64_t countdown, bool forever);
void bk_fault_alloc_disarm(void);
/* Number of allocation attempts seen since arming (to size a fault loop). */
uint64_t bk_fault_alloc_count(void);
/* Internal to bk_mem_*: true when this allocation must fail. */
bool bk_fault_alloc_should_fail(void);

/*
 * Named crash points. BASKET_CRASHPOINT=name[:n] in the environment makes the n-th (default
 * first) pass through BK_CRASHPOINT("name") abort the process, as a power cut would at that
 * point. Read once at start-up by bk_fault_init().
 */
void bk_fault_init(void);
void bk_fault_crashpoint(const char *name);
/* Called at a crash point instead of aborting at once (a test's power-loss simulation). */
void bk_fault_set_crash_hook(void (*hook)(void));
extern bool bk_fault_crashpoints_armed;
#define BK_CRASHPOINT(name)                      \
 do {                                            \
  if (BK_UNLIKELY(bk_fault_crashpoints_armed)) { \
   bk_fault_crashpoint(name);                    \
  }                                              \
 } while (0)

/* ---------------------------------------------------------------------------------------- */
/* io_uring (the only file that includes liburing.h is common/ring.c)                       */

typedef struct bk_ring bk_ring;

/* One completion, copied out of the CQ. */
typedef struct bk_cqe {
    uint64_t user_data;
    int32_t res;
    uint32_t flags;
} bk_cqe;

/*
 * Creates a ring with `entries` SQ entries (CQ 8x), SINGLE_ISSUER|DEFER_TASKRUN where the
 * kernel allows, probing for the opcodes Basket uses. On failure (io_uring disabled, seccomp,
 * old kernel) returns NULL with err naming the cause.
 */
BK_NODISCARD bk_ring *bk_ring_create(unsigned entries, bk_error *err);
void bk_ring_destroy(bk_ring *r);

/*
 * Registers a provided-buffer ring (group `bgid`) of `n_bufs` buffers of `buf_size` bytes
 * each (n_bufs a power of two). Receives with bk_ring_recv_multishot pick buffers from it.
 */
BK_NODISCARD bk_rc
bk_ring_setup_buffers(bk_ring *r, uint16_t bgid, unsigned n_bufs, unsigned buf_size, bk_error *err);
/* The bytes of provided buffer `bid`, and giving it back to the kernel after use. */
const uint8_t *bk_ring_buffer(bk_ring *r, uint16_t bid);
void bk_ring_buffer_return(bk_ring *r, uint16_t bid);

/*
 * Queue operations. Each returns BK_OK once the SQE is queued (submitting the queue first when
 * it is full). Submission happens in bk_ring_wait. Buffers passed in are owned by the kernel
 * until the matching completion arrives.
 */
void bk_ring_accept_multishot(bk_ring *r, int fd, uint64_t user_data);
void bk_ring_recv_multishot(bk_ring *r, int fd, uint16_t bgid, uint64_t user_data);
void bk_ring_send(bk_ring *r, int fd, const void *buf, size_t len, uint64_t user_data);
void bk_ring_read(bk_ring *r, int fd, void *buf, size_t len, uint64_t offset, uint64_t user_data);
void bk_ring_write(bk_ring *r,
                   int fd,
                   const void *buf,
                   size_t len,
                   uint64_t offset,
                   uint64_t user_data);
void bk_ring_fsync(bk_ring *r, int fd, bool datasync, uint64_t user_data);
void bk_ring_close(bk_ring *r, int fd, uint64_t user_data);
void bk_ring_cancel(bk_ring *r, uint64_t target_user_data, uint64_t user_data);
void bk_ring_shutdown(bk_ring *r, int fd, uint64_t user_data);
/* A relative timeout of `ns` nanoseconds; completes with res -ETIME. */
void bk_ring_timeout(bk_ring *r, uint64_t ns, uint64_t user_data);
/* Links the most recently queued operation to the next one (IOSQE_IO_LINK). */
void bk_ring_link_last(bk_ring *r);

/*
 * Submits queued operations and waits until at least one completion is ready or `timeout_ns`
 * passes (0 = do not wait, UINT64_MAX = no timeout). Copies up to `max` completions into
 * `out` and retires them. Returns the number copied (possibly 0), or -errno.
 */
int bk_ring_wait(bk_ring *r, bk_cqe *out, unsigned max, uint64_t timeout_ns);

/* Completion flags. */
bool bk_cqe_has_more(const bk_cqe *c);
/* The provided buffer a receive completion used; false when it carries none. */
bool bk_cqe_buffer_id(const bk_cqe *c, uint16_t *out_bid);

#endif /* BK_COMMON_COMMON_H */
