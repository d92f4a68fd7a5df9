/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gen: the deterministic Online-Retail-like generator (bk_gen_*). It streams invoice lines in
 * invoice-date order with the statistics of the UCI "Online Retail" data set that
 * loaders/RETAIL_STATS.md lists (measured with tools/retail_stats.py), at any row count.
 *
 * The model, in the order the generator runs:
 *   scale      s = rows / 541,909. Up to s = 1 the calendar is the real one (2010-12-01 to
 *              2011-12-09) and customers are 4,372 * s. Above, the business grows and ages
 *              alike: the span is 374 * sqrt(s) days from 2010-12-01, the daily volume grows by
 *              sqrt(s), and customers are 4,372 * (0.166 sqrt(s) + 0.834 s) (the initial base
 *              grows with the daily volume, acquisitions with volume times span).
 *   calendar   no trading on Saturdays, from 24 December to 3 January, or on the English bank
 *              holidays (Easter, May, August). A day's weight is a seasonal curve (monthly
 *              knots rising to the November peak) times a weekday factor; each day gets
 *              exactly its share of the rows (cumulative apportionment, so the total is exact).
 *   catalogue  ~4,150 products in families of stock codes (5 digits, colour variants with a
 *              letter), synthesized names, a popularity weight and a price drawn from the real
 *              distributions, plus the special codes (POST, DOT, M, C2, D, ...).
 *   customers  each has an id, a country and a heavy-tailed purchase weight. A customer
 *              arrives on a trading day (a sixth of them in the first month, the base that
 *              already existed) and buys that day; later invoices pick active customers in
 *              proportion to their weight (a Fenwick tree). After each order a customer may
 *              churn, with a probability that falls with the number of orders so far, their
 *              weight and the basket value and rises after a long gap: recency, frequency and
 *              monetary value predict churn (see customer_after_order).
 *   a day      invoices of six kinds (named orders, named and anonymous cancellations, large
 *              anonymous web-shop orders, zero-price stock adjustments, single anonymous
 *              lines) fill the day's rows (web-shop orders get a fixed share of them), then
 *              get times from the hourly profile of their kind (6:00-20:59), are sorted, and
 *              numbered upwards from 536365.
 *   a line     product by popularity (Christmas lines more so from September), quantity from
 *              the measured table of the invoice kind (larger for cheap products), price from
 *              the product's modal, bulk, higher or web-shop price.
 *
 * Determinism: xoshiro256** seeded through splitmix64, integer arithmetic only (no floating
 * point touches the output, no libm, no libc rand, qsort only on unique keys), so the same
 * options give the same bytes on every machine and compiler. Malformed CSV lines come from a
 * second generator stream: the good lines of a run with bad_row_rate > 0 are byte-identical
 * to the lines of a run without, and each malformed line replaces one good line and is one
 * CSV record (the "unterminated quote" record closes its quote on the next physical line).
 */
#include <stdlib.h>
#include <string.h>

#include "loaders.h"

#define GEN_REAL_ROWS      UINT64_C(541909)
#define GEN_REAL_CUSTOMERS 4372
#define GEN_REAL_SPAN      374 /* days, 2010-12-01 .. 2011-12-09 */
#define GEN_FIRST_INVOICE  536365
#define GEN_FIRST_CUSTOMER 12346
#define GEN_N_REGULAR      4150 /* catalogue size; ~4,060 of them sell at 541,909 rows */
#define GEN_LINE_MAX       512  /* bytes one CSV line (or malformed record) can take */
#define GEN_CDF_CAP        128
#define GEN_WEB_ROWS_PPM   244300 /* rows of web-shop orders: 132,364 of 541,909 */
/* Churn after a customer's n-th order (ppm): floor + span / n^2, before the factors. */
#define GEN_CHURN_FLOOR 4000
#define GEN_CHURN_SPAN  120000
#define GEN_TAIL        INT32_MIN /* discrete-table entry: sample the tail knots instead */
#define PPM             1000000

/* ---------------------------------------------------------------------------------------- */
/* Random numbers: xoshiro256** (Blackman and Vigna), seeded with splitmix64                 */

typedef struct gen_rng {
    uint64_t s[4];
} gen_rng;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static void rng_seed(gen_rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * UINT64_C(0xd1342543de82ef95));
    for (int i = 0; i < 4; i++) {
        r->s[i] = splitmix64(&x);
    }
}

static inline uint64_t rotl64(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t rng_next(gen_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl64(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl64(s[3], 45);
    return result;
}

/* Uniform in [0, n) by multiply-shift (Lemire); the bias, below 2^-40 here, does not matter. */
static inline uint64_t rng_below(gen_rng *r, uint64_t n)
{
    return (uint64_t)(((bk_u128)rng_next(r) * n) >> 64);
}

static inline bool rng_ppm(gen_rng *r, uint32_t ppm)
{
    return rng_below(r, PPM) < ppm;
}

/* ---------------------------------------------------------------------------------------- */
/* Measured tables (tools/retail_stats.py --tables on the real file; see RETAIL_STATS.md)   */

/* clang-format off */
typedef struct gen_pair {
    int32_t value;
    uint32_t weight;
} gen_pair;

/* Cumulative probabilities (ppm) at which the knot tables below give their quantiles. */
static const uint32_t grid14[14] = {0,      100000, 200000, 300000, 400000, 500000, 600000,
                                    700000, 800000, 900000, 950000, 990000, 999000, PPM};
static const uint32_t grid7[7] = {0, 250000, 500000, 750000, 900000, 990000, PPM};

/* Lines per invoice by kind (grid14). */
static const int32_t lines_named[14] = {1, 2, 5, 8, 11, 15, 19, 24, 32, 48, 65, 111, 239, 542};
static const int32_t lines_web[14] = {2, 3, 7, 17, 35, 50, 73, 144, 189, 282, 438, 635, 749, 1114};
static const int32_t lines_cancel[14] = {1, 1, 1, 1, 1, 1, 2, 2, 3, 5, 7, 18, 41, 101};
static const int32_t lines_cancel_anon[14] = {1, 1, 1, 1, 1, 1, 1, 1, 2, 3, 6, 27, 38, 38};
/* Rows per stock code (grid14), the popularity weight of a product. */
static const int32_t product_rows[14] = {1, 3, 9, 20, 37, 62, 95, 139, 209, 347, 496, 993, 1639,
                                         2313};
/*
 * Customer purchase weight (grid14), calibrated so that the realised invoices per customer
 * (1 1 1 1 2 2 3 4 6 9 13 30 93 210 at the grid14 points) come out as in the real data.
 */
static const int32_t customer_weight[14] = {24, 27, 30, 34, 38, 44, 52, 64, 85, 125, 190, 450,
                                            1800, 3600};

/* Quantity of a named order line. */
static const gen_pair qty_named[] = {
    {1, 73314}, {2, 58003}, {3, 26948}, {4, 32183}, {5, 8150}, {6, 37688}, {7, 1299}, {8, 11644},
    {9, 1170}, {10, 21213}, {11, 341}, {12, 60033}, {13, 200}, {14, 237}, {15, 448}, {16, 3946},
    {17, 73}, {18, 1557}, {19, 71}, {20, 4766}, {21, 65}, {22, 60}, {23, 30}, {24, 23751},
    {25, 4995}, {26, 36}, {27, 47}, {28, 107}, {30, 1090}, {32, 1003}, {33, 20}, {36, 3751},
    {40, 1022}, {42, 47}, {48, 5988}, {50, 895}, {54, 28}, {56, 21}, {60, 649}, {64, 270},
    {72, 1935}, {75, 53}, {80, 203}, {84, 42}, {90, 34}, {96, 1801}, {100, 1801}, {108, 136},
    {120, 599}, {128, 133}, {144, 1012}, {150, 62}, {160, 88}, {180, 42}, {192, 337}, {200, 413},
    {216, 117}, {240, 260}, {250, 32}, {256, 26}, {288, 244}, {300, 106}, {320, 24}, {360, 57},
    {384, 44}, {400, 48}, {432, 82}, {480, 76}, {500, 26}, {576, 59}, {600, 70}, {720, 41},
    {GEN_TAIL, 762}};
static const int32_t qty_named_tail[7] = {29, 74, 224, 672, 1200, 3114, 80995};

/* Quantity of an anonymous web-shop line. */
static const gen_pair qty_web[] = {
    {1, 74604}, {2, 23737}, {3, 10122}, {4, 6262}, {5, 3572}, {6, 3147}, {7, 1606}, {8, 1462},
    {9, 856}, {10, 1053}, {11, 605}, {12, 1009}, {13, 376}, {14, 322}, {15, 342}, {16, 315},
    {17, 190}, {18, 223}, {19, 147}, {20, 235}, {21, 110}, {22, 105}, {23, 76}, {24, 255},
    {25, 122}, {26, 61}, {27, 58}, {28, 62}, {29, 46}, {30, 83}, {31, 42}, {32, 42}, {33, 43},
    {34, 39}, {35, 43}, {36, 63}, {37, 34}, {38, 31}, {40, 54}, {41, 24}, {42, 24}, {44, 20},
    {45, 20}, {48, 71}, {49, 22}, {60, 21}, {GEN_TAIL, 608}};
static const int32_t qty_web_tail[7] = {39, 57, 75, 115, 181, 484, 1820};

/* Quantity of a cancellation line, negated. */
static const gen_pair qty_cancel[] = {
    {1, 4105}, {2, 1337}, {3, 581}, {4, 467}, {5, 189}, {6, 482}, {7, 82}, {8, 148}, {9, 55},
    {10, 168}, {11, 47}, {12, 546}, {14, 24}, {16, 45}, {18, 35}, {20, 47}, {24, 244}, {25, 43},
    {36, 59}, {40, 22}, {48, 88}, {72, 32}, {96, 28}, {100, 50}, {144, 30}, {GEN_TAIL, 334}};
static const int32_t qty_cancel_tail[7] = {13, 27, 52, 200, 432, 3114, 80995};
/* |quantity| of a zero-price stock adjustment (grid7). */
static const int32_t qty_adjust[7] = {1, 5, 20, 67, 207, 1897, 9600};

/* A regular product's modal price (mills) and how many products have it. */
static const gen_pair modal_price[] = {
    {40, 1}, {60, 3}, {80, 2}, {100, 2}, {120, 15}, {140, 1}, {180, 1}, {190, 41}, {210, 20},
    {220, 1}, {290, 62}, {300, 1}, {350, 1}, {360, 2}, {380, 21}, {390, 110}, {420, 219}, {500, 5},
    {530, 2}, {550, 19}, {590, 4}, {620, 1}, {630, 4}, {650, 70}, {720, 1}, {750, 14}, {790, 42},
    {820, 3}, {830, 53}, {850, 256}, {950, 5}, {1000, 5}, {1050, 2}, {1060, 2}, {1250, 466},
    {1450, 65}, {1490, 7}, {1550, 1}, {1630, 3}, {1650, 224}, {1690, 25}, {1950, 129}, {2080, 66},
    {2100, 137}, {2120, 2}, {2250, 10}, {2460, 1}, {2490, 9}, {2550, 144}, {2890, 26}, {2950, 248},
    {2990, 1}, {3000, 1}, {3210, 1}, {3250, 17}, {3290, 3}, {3350, 10}, {3450, 1}, {3490, 1},
    {3500, 4}, {3750, 180}, {3950, 23}, {4150, 37}, {4250, 88}, {4650, 12}, {4950, 158},
    {5450, 13}, {5490, 3}, {5750, 6}, {5790, 1}, {5950, 80}, {6250, 11}, {6350, 17}, {6450, 1},
    {6650, 3}, {6750, 22}, {6950, 24}, {7500, 20}, {7650, 4}, {7850, 2}, {7900, 1}, {7950, 65},
    {8150, 4}, {8250, 27}, {8500, 42}, {8950, 21}, {9950, 60}, {9960, 1}, {10400, 3}, {10650, 1},
    {10750, 3}, {10950, 2}, {11950, 4}, {12500, 19}, {12750, 36}, {14950, 13}, {15000, 1},
    {15950, 3}, {16650, 1}, {16950, 16}, {18950, 2}, {19950, 4}, {21950, 1}, {24950, 4},
    {25000, 1}, {26950, 1}, {29950, 6}, {35950, 1}, {39950, 5}, {42950, 1}, {49950, 3}, {59950, 1},
    {65000, 1}, {79950, 1}, {85000, 1}, {125000, 3}, {165000, 2}};

/* Invoices per hour of the day, 6:00 to 20:59: orders, cancellations, anonymous invoices. */
static const uint32_t hour_order[15] = {1,    29,   555,  1394, 2226, 2277, 3129, 2637,
                                        2275, 2038, 1100, 544,  169,  144,  18};
static const uint32_t hour_cancel[15] = {21,  2,   54,  234, 397, 523, 498, 430,
                                         400, 401, 400, 304, 89,  73,  10};
static const uint32_t hour_anon[15] = {0,   0,   15,  196, 338, 365, 334, 302,
                                       462, 630, 452, 357, 75,  2,   0};

/*
 * Seasonal level by month (knots on the 15th, interpolated linearly; fitted so that each
 * month gets its real share of rows) and rows per trading day by weekday (Mon = 0).
 */
static const int32_t month_level[12] = {1498, 1087, 1430, 1340, 1580, 1378,
                                        1659, 1222, 2028, 2203, 3673, 2197};
static const int32_t weekday_level[7] = {2024, 1958, 1784, 1960, 1644, 0, 1288};

typedef enum gen_special {
    SP_NONE = -1,
    SP_POST,
    SP_DOT,
    SP_MANUAL,
    SP_CARRIAGE,
    SP_DISCOUNT,
    SP_BANK,
    SP_AMAZON,
    SP_SAMPLES,
    SP_CRUK,
    SP_PADS,
    SP_COUNT_
} gen_special;

typedef struct gen_special_def {
    const char *code;
    const char *description;
    int32_t price[7]; /* mills at grid7; 0 = the country's postage */
} gen_special_def;

static const gen_special_def specials[SP_COUNT_] = {
    {"POST", "POSTAGE", {0}},
    {"DOT", "DOTCOM POSTAGE", {16000, 131220, 184960, 264650, 657290, 1714170, 4505170}},
    {"M", "Manual", {190, 1000, 7950, 280050, 869550, 4161060, 38970000}},
    {"C2", "CARRIAGE", {0}},
    {"D", "Discount", {10, 13880, 22970, 57600, 129900, 1867860, 1867860}},
    {"BANK CHARGES", "Bank Charges", {15000, 15000, 82730, 366270, 566370, 1050150, 1050150}},
    {"AMAZONFEE", "AMAZON FEE", {1000, 5225030, 5942570, 8286220, 13541330, 17836460, 17836460}},
    {"S", "SAMPLES", {2800, 7690, 19500, 65850, 103580, 570000, 570000}},
    {"CRUK", "CRUK Commission", {1600, 361590, 495980, 849930, 1038750, 1100440, 1100440}},
    {"PADS", "PADS TO MATCH ALL CUSHIONS", {1, 1, 1, 1, 1, 1, 1}},
};

/*
 * Countries: named order rows (the weight of a customer's country), anonymous rows, and the
 * share (per mille) of a customer's orders that carry a postage line, with its price.
 */
typedef struct gen_country {
    const char *name;
    uint32_t named_rows;
    uint32_t anon_rows;
    uint32_t post_permille;
    int32_t post_price; /* mills */
} gen_country;

static const gen_country countries[] = {
    {"United Kingdom", 354345, 133600, 3, 15000},
    {"Germany", 9042, 0, 818, 18000},
    {"France", 8342, 66, 776, 18000},
    {"EIRE", 7238, 711, 377, 50000}, /* carriage (C2), not postage */
    {"Spain", 2485, 0, 689, 28000},
    {"Netherlands", 2363, 0, 389, 15000},
    {"Belgium", 2031, 0, 980, 15000},
    {"Switzerland", 1842, 125, 608, 40000},
    {"Portugal", 1462, 39, 526, 28000},
    {"Australia", 1185, 0, 18, 40000},
    {"Norway", 1072, 0, 556, 40000},
    {"Italy", 758, 0, 447, 28000},
    {"Channel Islands", 748, 0, 115, 15000},
    {"Finland", 685, 0, 902, 40000},
    {"Cyprus", 614, 0, 50, 15000},
    {"Sweden", 451, 0, 611, 40000},
    {"Austria", 398, 0, 600, 40000},
    {"Denmark", 380, 0, 500, 18000},
    {"Poland", 330, 0, 400, 40000},
    {"Japan", 321, 0, 0, 0},
    {"Israel", 248, 47, 0, 0},
    {"Unspecified", 244, 202, 0, 0},
    {"Singapore", 222, 0, 0, 0},
    {"Iceland", 182, 0, 0, 0},
    {"USA", 179, 0, 0, 0},
    {"Canada", 151, 0, 50, 40000},
    {"Greece", 145, 0, 400, 50000},
    {"Malta", 112, 0, 400, 40000},
    {"United Arab Emirates", 68, 0, 100, 40000},
    {"European Community", 60, 0, 400, 15000},
    {"RSA", 58, 0, 0, 0},
    {"Lebanon", 45, 0, 0, 0},
    {"Lithuania", 35, 0, 0, 0},
    {"Brazil", 32, 0, 0, 0},
    {"Czech Republic", 25, 0, 300, 40000},
    {"Bahrain", 17, 2, 0, 0},
    {"Saudi Arabia", 9, 0, 0, 0},
    {"Hong Kong", 0, 288, 0, 0}, };
#define GEN_EIRE 3

/*
 * Invoice kinds and their share (ppm) of the invoices other than web-shop orders, which get
 * 24.43% of the rows instead (see day_plan). A customer's first order is placed on their
 * arrival day and counts against the orders drawn later (order_debt).
 */
typedef enum gen_kind {
    KIND_ORDER,       /* a registered customer's order */
    KIND_CANCEL,      /* "C" invoice of a registered customer */
    KIND_ADJUST,      /* anonymous zero-price stock adjustment, 1 line, mostly negative */
    KIND_WEB,         /* anonymous web-shop order, many lines, ~2x prices, DOT postage */
    KIND_ANON_LINE,   /* anonymous single line */
    KIND_CANCEL_ANON, /* anonymous "C" invoice: fees, samples */
    KIND_COUNT_
} gen_kind;

static const gen_pair kind_share[KIND_COUNT_] = {
    {KIND_ORDER, 746450}, {KIND_CANCEL, 150450}, {KIND_ADJUST, 86800},
    {KIND_WEB, 0}, {KIND_ANON_LINE, 8940}, {KIND_CANCEL_ANON, 7360},
};

/* Notes that replace the description on some stock adjustments (the rest have none). */
static const char *const adjust_notes[] = {
    "check", "check", "check", "?", "damages", "damaged", "found", "sold as set on dotcom",
    "adjustment", "Damaged", "thrown away", "Unsaleable, destroyed.", "amazon", "??", "dotcom",
    "wet damaged", "ebay", "had been put aside", "smashed", "missing", "crushed",
};

/* clang-format on */

/* ---------------------------------------------------------------------------------------- */
/* Samplers                                                                                 */

/* A weighted choice among up to GEN_CDF_CAP entries; the caller maps the index to a value. */
typedef struct gen_cdf {
    uint32_t n;
    uint64_t cum[GEN_CDF_CAP]; /* cum[i] = weight of entries 0..i */
} gen_cdf;

static void cdf_add(gen_cdf *c, uint32_t weight)
{
    BK_ASSERT(c->n < GEN_CDF_CAP);
    c->cum[c->n] = (c->n == 0 ? 0 : c->cum[c->n - 1]) + weight;
    c->n++;
}

static void cdf_init(gen_cdf *c, const gen_pair *pairs, size_t n)
{
    c->n = 0;
    for (size_t i = 0; i < n; i++) {
        cdf_add(c, pairs[i].weight);
    }
}

/* The index of a weighted draw. */
static uint32_t cdf_index(const gen_cdf *c, gen_rng *r)
{
    uint64_t u = rng_below(r, c->cum[c->n - 1]);
    uint32_t lo = 0;
    uint32_t hi = c->n - 1;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (c->cum[mid] > u) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return lo;
}

/* The quantile at u (ppm) of a knot table: piecewise linear between the knots. */
static int64_t knots_at(uint32_t u, const uint32_t *grid, const int32_t *v, size_t n)
{
    size_t i = 0;
    while (i + 2 < n && grid[i + 1] <= u) {
        i++;
    }
    int64_t lo = v[i];
    int64_t hi = v[i + 1];
    return lo + (hi - lo) * (int64_t)(u - grid[i]) / (int64_t)(grid[i + 1] - grid[i]);
}

static int64_t knots_sample(gen_rng *r, const uint32_t *grid, const int32_t *v, size_t n)
{
    return knots_at((uint32_t)rng_below(r, PPM), grid, v, n);
}

static int32_t
cdf_value_or_tail(const gen_cdf *c, const gen_pair *pairs, gen_rng *r, const int32_t *tail)
{
    int32_t v = pairs[cdf_index(c, r)].value;
    if (v == GEN_TAIL) {
        v = (int32_t)knots_sample(r, grid7, tail, 7);
    }
    return v;
}

/* ---------------------------------------------------------------------------------------- */
/* State                                                                                    */

typedef struct gen_product {
    char code[14];
    uint8_t code_len;
    bool is_christmas;
    uint32_t desc_off, desc_len;      /* raw description in names */
    uint32_t frag_off, frag_len;      /* "CODE,DESCRIPTION," CSV-escaped, in names */
    int32_t price, bulk, higher, web; /* mills */
} gen_product;

typedef struct gen_customer {
    int32_t id;
    uint32_t weight;
    uint16_t country;
    bool initial; /* of the base that existed before the first day */
    bool churned;
    uint32_t n_orders;
    int32_t last_day; /* calendar day index of the last order, -1 = none yet */
} gen_customer;

typedef struct gen_invoice {
    uint32_t n_lines;
    uint32_t seq;    /* draw order: makes the time sort key unique */
    uint16_t minute; /* minute of the day */
    uint16_t country;
    uint8_t kind;
    gen_special special; /* on line special_at, or SP_NONE */
    uint32_t special_at;
    int32_t customer; /* index, -1 = anonymous */
    int64_t value;    /* sum of quantity * price in mills, for the churn decision */
} gen_invoice;

/* The line being produced. */
typedef struct gen_line {
    uint32_t product;
    const char *note; /* description replacing the product's, or NULL */
    bool no_description;
    int32_t qty;
    int64_t price; /* mills */
} gen_line;

struct bk_gen {
    bk_gen_options opt;
    gen_rng rng;            /* everything in the data */
    gen_rng bad_rng;        /* malformed-line decisions only */
    uint64_t bad_threshold; /* a line is malformed when (draw >> 11) < this */
    uint64_t rows_done;

    /* calendar */
    int32_t day0;                         /* 2010-12-01 as days since 2000-01-01 */
    int32_t n_days;                       /* calendar span */
    int32_t day;                          /* current calendar day index, -1 before the first */
    uint64_t weight_total, weight_before; /* day weights: total, and up to the current day */
    int32_t n_trading;
    int32_t *trading; /* calendar index of each trading day */

    uint64_t *day_w; /* weight of each calendar day (0 = closed) */

    /* catalogue */
    gen_product *products;
    uint32_t n_products; /* all, the regular ones first, then SP_COUNT_ specials */
    uint32_t n_regular;
    char *names;
    size_t names_len, names_cap;
    uint64_t *pick_cum[2]; /* popularity over regular products: [0] Jan-Aug, [1] Sep-Dec */

    /* customers */
    gen_customer *customers;
    uint32_t n_customers;
    uint64_t *fenwick; /* active weights, 1-based */
    uint32_t fenwick_top;
    uint64_t active_weight;
    uint64_t order_debt;    /* first orders not yet taken off the orders drawn */
    uint64_t web_rows;      /* rows of web-shop orders planned so far */
    uint32_t *arrivals;     /* customer indexes by arrival day */
    uint32_t *arrival_from; /* per calendar day: first index into arrivals (n_days + 1) */

    /* the current day */
    gen_invoice *inv;
    uint32_t n_inv, inv_cap, inv_pos, line_pos;
    uint32_t next_invoice_no;
    int year, month, mday;
    const gen_invoice *cur; /* the invoice of the last line produced */
    gen_line line;

    /* CSV pieces of the current invoice: head "536365,", mid ",2010-12-01 08:26:00,",
     * tail ",17850.0,United Kingdom\n" (the raw values are inside them) */
    char head[16];
    size_t head_len;
    char mid[24];
    char tail[48];
    size_t tail_len, customer_len;
    int64_t invoice_us;

    gen_cdf qty_named, qty_web, qty_cancel, modal, kind, country_named, country_anon;
    gen_cdf hour[3]; /* orders, cancellations, anonymous */
};

/* ---------------------------------------------------------------------------------------- */
/* Calendar                                                                                 */

static int days_in_month(int y, int m)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0) && (y % 100 != 0 || y % 400 == 0);
    return mdays[m - 1] + ((m == 2 && leap) ? 1 : 0);
}

/* Monday = 0 ... Sunday = 6; 2000-01-01 was a Saturday. */
static int weekday_of(int32_t pg_day)
{
    int w = (int)((pg_day + 5) % 7);
    return w < 0 ? w + 7 : w;
}

/* Easter Sunday (anonymous Gregorian algorithm) as days since 2000-01-01. */
static int32_t easter_day(int y)
{
    int a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4, f = (b + 8) / 25;
    int g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30, i = c / 4, k = c % 4;
    int l = (32 + 2 * e + 2 * i - h - k) % 7, m = (a + 11 * h + 22 * l) / 451;
    int month = (h + l - 7 * m + 114) / 31;
    int day = (h + l - 7 * m + 114) % 31 + 1;
    return bk_date_from_ymd(y, month, day);
}

static bool is_trading_day(int32_t pg_day)
{
    int y, m, d;
    bk_date_to_ymd(pg_day, &y, &m, &d);
    int wd = weekday_of(pg_day);
    if (wd == 5 || (m == 12 && d >= 24) || (m == 1 && d <= 3)) {
        return false;
    }
    int32_t easter = easter_day(y);
    if (pg_day == easter - 2 || pg_day == easter || pg_day == easter + 1) {
        return false;
    }
    /* Early May, spring and summer bank holidays: first Monday of May, last of May, August. */
    if (wd == 0 && ((m == 5 && d <= 7) || (m == 5 && d > 24) || (m == 8 && d > 24))) {
        return false;
    }
    return true;
}

/* The seasonal level on a day: linear between the monthly knots placed on the 15th. */
static uint64_t season_level(int y, int m, int d)
{
    int m0, len, pos;
    if (d >= 15) {
        m0 = m;
        len = days_in_month(y, m);
        pos = d - 15;
    } else {
        m0 = m == 1 ? 12 : m - 1;
        len = days_in_month(m == 1 ? y - 1 : y, m0);
        pos = d + len - 15;
    }
    int64_t a = month_level[m0 - 1];
    int64_t b = month_level[m0 % 12];
    return (uint64_t)(a * 1000 + (b - a) * 1000 * pos / len);
}

static uint64_t day_weight(const bk_gen *g, int32_t day_idx)
{
    int32_t pg_day = g->day0 + day_idx;
    if (!is_trading_day(pg_day)) {
        return 0;
    }
    int y, m, d;
    bk_date_to_ymd(pg_day, &y, &m, &d);
    return season_level(y, m, d) * (uint64_t)weekday_level[weekday_of(pg_day)] / 1000;
}

/* Integer square root of a 128-bit value. */
static uint64_t isqrt128(bk_u128 v)
{
    uint64_t lo = 0, hi = UINT64_C(1) << 63;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo + 1) / 2;
        if ((bk_u128)mid * mid <= v) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    return lo;
}

/* ---------------------------------------------------------------------------------------- */
/* Catalogue                                                                                */

/* clang-format off */
static const char *const colours[] = {
    "PINK", "BLUE", "RED", "WHITE", "GREEN", "IVORY", "BLACK", "SILVER", "GOLD", "CREAM", "PURPLE",
    "ORANGE", "YELLOW", "LILAC", "TURQUOISE", "CHOCOLATE", "AQUA", "RETROSPOT", "POLKADOT",
    "PAISLEY", "SPOTTY", "STRIPEY", "FLORAL", "VINTAGE", "ANTIQUE", "REGENCY", "PASTEL", "GINGHAM",
    "DOILY", "BAROQUE", "ZINC", "ENAMEL", "GLITTER", "FELTCRAFT", "PATCHWORK", "ORIENTAL",
    "FRENCH", "ENGLISH", "RUSTIC", "NATURAL",
};
static const char *const themes[] = {
    "HEART", "ROSE", "BIRD", "STAR", "CHRISTMAS", "EASTER", "JUNGLE", "SPACEBOY", "DOLLY GIRL",
    "WOODLAND", "OWL", "CAT", "DOG", "BUTTERFLY", "FLOWER", "GARDEN", "PARTY", "SKULL", "CIRCUS",
    "FAIRY", "ANGEL", "LOVE", "HOME", "SNOWFLAKE", "REINDEER", "ALPHABET", "DINOSAUR", "PIRATE",
    "TEA TIME", "CUPCAKE", "APPLE", "CHERRY", "LAVENDER", "DAISY", "LOVEBIRD",
};
static const char *const items[] = {
    "CAKE STAND", "T-LIGHT HOLDER", "LUNCH BAG", "JUMBO BAG", "SHOPPER BAG", "MUG",
    "TEACUP AND SAUCER", "NAPKINS", "PAPER PLATES", "CAKE CASES", "WALL CLOCK", "ALARM CLOCK",
    "DOORMAT", "CUSHION COVER", "PHOTO FRAME", "NECKLACE", "EARRINGS", "BRACELET", "KEY RING",
    "TRINKET BOX", "STORAGE TIN", "GIFT WRAP", "GREETING CARD", "WATER BOTTLE", "LANTERN",
    "CANDLE", "BUNTING", "GARLAND", "CHALKBOARD", "NOTEBOOK", "PENCILS", "STICKERS", "PURSE",
    "HAIR CLIP", "UMBRELLA", "APRON", "OVEN GLOVE", "TEA TOWEL", "PLATE", "BOWL", "JUG", "TUMBLER",
    "COASTER", "PLACEMAT", "METAL SIGN", "COAT HOOK", "DRAWER KNOB", "PLANTER", "WATERING CAN",
    "BIRD HOUSE", "WIND CHIME", "DECORATION", "BAUBLE", "STOCKING", "BOX", "BASKET", "TRAY",
    "MIRROR", "NIGHT LIGHT", "SNOW GLOBE", "JIGSAW", "SKIPPING ROPE", "PARASOL", "PEG BAG",
    "DOORSTOP",
};
static const char *const prefixes[] = {
    "SET OF 3", "SET OF 4", "SET OF 6", "SET/10", "PACK OF 12", "PACK OF 60", "SMALL", "LARGE",
    "JUMBO", "MINI", "HANGING", "WOODEN", "GLASS", "METAL", "CERAMIC", "FELT", "PAPER",
    "CHILDRENS", "RETRO", "ASSORTED",
};
/* Two-digit prefixes of the real 5-digit stock codes, with how many families start so. */
static const gen_pair code_prefix[] = {
    {10, 9}, {15, 8}, {16, 39}, {17, 22}, {20, 199}, {21, 660}, {22, 921}, {23, 605}, {35, 74},
    {37, 39}, {47, 40}, {48, 11}, {71, 15}, {72, 45}, {79, 33}, {82, 23}, {84, 269}, {85, 135},
    {90, 181}};
/* clang-format on */
#define PICK(rng, arr) ((arr)[rng_below((rng), BK_ARRAY_LEN(arr))])

static size_t put_str(char *p, const char *s)
{
    size_t n = strlen(s);
    memcpy(p, s, n);
    return n;
}

static void gen_name(gen_rng *r,
                     char *out,
                     const char *prefix,
                     const char *colour,
                     const char *theme,
                     const char *item,
                     bool comma,
                     int inches)
{
    char buf[128];
    size_t n = 0;
    for (int attempt = 0; attempt < 3; attempt++) {
        n = 0;
        if (comma) {
            n += put_str(buf + n, item);
            n += put_str(buf + n, ", ");
            n += put_str(buf + n, colour);
            if (theme != NULL) {
                buf[n++] = ' ';
                n += put_str(buf + n, theme);
            }
        } else {
            if (prefix != NULL) {
                n += put_str(buf + n, prefix);
                buf[n++] = ' ';
            }
            n += put_str(buf + n, colour);
            buf[n++] = ' ';
            if (theme != NULL) {
                n += put_str(buf + n, theme);
                buf[n++] = ' ';
            }
            n += put_str(buf + n, item);
        }
        if (inches > 0) {
            buf[n++] = ' ';
            buf[n++] = (char)('0' + inches);
            buf[n++] = '"';
        }
        if (n <= 35) {
            break;
        }
        /* Too long for the 35 characters of the source system: drop the prefix, then the theme. */
        if (prefix != NULL) {
            prefix = NULL;
        } else {
            theme = NULL;
        }
    }
    if (n > 35) {
        n = 35;
    }
    if (rng_ppm(r, 170000)) {
        buf[n++] = ' '; /* a sixth of the real descriptions keep a trailing space */
    }
    buf[n] = '\0';
    memcpy(out, buf, n + 1);
}

/* Appends `s` to the names heap, CSV-escaped when `csv` (quoted only when needed). */
static bool names_put(bk_gen *g, const char *s, size_t n, bool csv, uint32_t *off, uint32_t *len)
{
    if (g->names_cap - g->names_len < 2 * n + 4) {
        size_t cap = g->names_cap * 2 + 2 * n + 4;
        char *p = bk_mem_realloc(g->names, cap);
        if (p == NULL) {
            return false;
        }
        g->names = p;
        g->names_cap = cap;
    }
    char *p = g->names + g->names_len;
    size_t k = 0;
    bool quote = csv && (memchr(s, ',', n) != NULL || memchr(s, '"', n) != NULL ||
                         memchr(s, '\n', n) != NULL || memchr(s, '\r', n) != NULL);
    if (quote) {
        p[k++] = '"';
    }
    for (size_t i = 0; i < n; i++) {
        if (quote && s[i] == '"') {
            p[k++] = '"';
        }
        p[k++] = s[i];
    }
    if (quote) {
        p[k++] = '"';
    }
    *off = (uint32_t)g->names_len;
    *len = (uint32_t)k;
    g->names_len += k;
    return true;
}

static int32_t round_price(int64_t mills)
{
    /* Pounds and pence as a shop would: 5p steps from 1.00, whole pence below. */
    int64_t step = mills >= 1000 ? 50 : 10;
    int64_t v = (mills + step / 2) / step * step;
    return (int32_t)(v < 10 ? 10 : v);
}

static bool product_add(bk_gen *g, const char *code, const char *desc, bool christmas)
{
    gen_product *p = &g->products[g->n_products];
    size_t code_len = strlen(code);
    size_t desc_len = strlen(desc);
    memset(p, 0, sizeof(*p));
    memcpy(p->code, code, code_len + 1);
    p->code_len = (uint8_t)code_len;
    p->is_christmas = christmas;
    if (!names_put(g, desc, desc_len, false, &p->desc_off, &p->desc_len)) {
        return false;
    }
    /* The CSV fragment "CODE,DESC," is built once: most of a line is a copy of it. */
    char frag_code[16];
    memcpy(frag_code, code, code_len);
    frag_code[code_len] = ',';
    uint32_t off1, len1, off2, len2, off3, len3;
    if (!names_put(g, frag_code, code_len + 1, false, &off1, &len1) ||
        !names_put(g, desc, desc_len, true, &off2, &len2) ||
        !names_put(g, ",", 1, false, &off3, &len3)) {
        return false;
    }
    p->frag_off = off1;
    p->frag_len = len1 + len2 + len3;
    g->n_products++;
    return true;
}

static int32_t modal_price_draw(bk_gen *g)
{
    return modal_price[cdf_index(&g->modal, &g->rng)].value;
}

static bool catalogue_build(bk_gen *g)
{
    gen_rng *r = &g->rng;
    g->products = bk_mem_calloc(GEN_N_REGULAR + 16 + SP_COUNT_, sizeof(gen_product));
    uint8_t *used = bk_mem_calloc(100000, 1);
    if (g->products == NULL || used == NULL) {
        bk_mem_free(used);
        return false;
    }
    gen_cdf prefix_cdf;
    cdf_init(&prefix_cdf, code_prefix, BK_ARRAY_LEN(code_prefix));
    while (g->n_products < GEN_N_REGULAR) {
        /* A family: one base code, one item and theme, variants in different colours. */
        uint32_t base;
        do {
            base = (uint32_t)code_prefix[cdf_index(&prefix_cdf, r)].value * 1000 +
                   (uint32_t)rng_below(r, 1000);
        } while (used[base]);
        used[base] = 1;
        uint32_t roll = (uint32_t)rng_below(r, 1000);
        uint32_t n_var = roll < 911   ? 1
                         : roll < 955 ? 2
                         : roll < 974 ? 3
                         : roll < 988 ? 4
                         : roll < 994 ? 5
                                      : 6 + (uint32_t)rng_below(r, 5);
        bool lettered = n_var > 1 || rng_ppm(r, 45000);
        const char *letters = rng_ppm(r, 100000) ? "abcdefghijk" : "ABCDEFGHIJK";
        const char *item = PICK(r, items);
        const char *theme = rng_ppm(r, 600000) ? PICK(r, themes) : NULL;
        const char *prefix = rng_ppm(r, 350000) ? PICK(r, prefixes) : NULL;
        bool comma = rng_ppm(r, 17000);
        int inches = rng_ppm(r, 9000) ? 5 + (int)rng_below(r, 4) : 0;
        bool christmas =
            (theme != NULL && (strcmp(theme, "CHRISTMAS") == 0 || strcmp(theme, "SNOWFLAKE") == 0 ||
                               strcmp(theme, "REINDEER") == 0)) ||
            strcmp(item, "BAUBLE") == 0 || strcmp(item, "STOCKING") == 0;
        int32_t price = modal_price_draw(g);
        size_t colour0 = (size_t)rng_below(r, BK_ARRAY_LEN(colours));
        for (uint32_t v = 0; v < n_var && g->n_products < GEN_N_REGULAR + 16; v++) {
            char code[16], desc[48];
            code[0] = (char)('0' + base / 10000);
            code[1] = (char)('0' + base / 1000 % 10);
            code[2] = (char)('0' + base / 100 % 10);
            code[3] = (char)('0' + base / 10 % 10);
            code[4] = (char)('0' + base % 10);
            code[5] = letters[v];
            code[lettered ? 6 : 5] = '\0';
            gen_name(r, desc, prefix, colours[(colour0 + (size_t)v * 7) % BK_ARRAY_LEN(colours)],
                     theme, item, comma, inches);
            if (!product_add(g, code, desc, christmas)) {
                bk_mem_free(used);
                return false;
            }
            gen_product *p = &g->products[g->n_products - 1];
            /* Variants mostly share the family price. */
            p->price = rng_ppm(r, 800000) ? price : modal_price_draw(g);
            p->bulk = p->price < 100 ? p->price : round_price((int64_t)p->price * 86 / 100);
            p->higher = p->price < 100 ? p->price : round_price((int64_t)p->price * 116 / 100);
            p->web = (int32_t)(((int64_t)p->price * 197 / 100 + 5) / 10 * 10);
            if (p->bulk >= p->price) {
                p->bulk = p->price;
            }
            if (p->higher <= p->price) {
                p->higher = p->price + 10;
            }
        }
    }
    bk_mem_free(used);
    g->n_regular = g->n_products;
    for (int s = 0; s < SP_COUNT_; s++) {
        if (!product_add(g, specials[s].code, specials[s].description, false)) {
            return false;
        }
    }
    return true;
}

/* Popularity weights (rows per stock code), raised for Christmas lines from September. */
static bool popularity_build(bk_gen *g)
{
    uint32_t n = g->n_regular;
    g->pick_cum[0] = bk_mem_alloc(n * sizeof(uint64_t));
    g->pick_cum[1] = bk_mem_alloc(n * sizeof(uint64_t));
    if (g->pick_cum[0] == NULL || g->pick_cum[1] == NULL) {
        return false;
    }
    int32_t knots16[14];
    for (size_t i = 0; i < 14; i++) {
        knots16[i] = product_rows[i] * 16;
    }
    uint64_t t0 = 0, t1 = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t w = (uint64_t)knots_sample(&g->rng, grid14, knots16, 14);
        int32_t price = g->products[i].price;
        bool xmas = g->products[i].is_christmas;
        /* Cheap trinkets and dear furniture sell less often than the 1-8 pound range. */
        w = w *
            (price < 250     ? 42
             : price < 500   ? 74
             : price < 4000  ? 100
             : price < 8000  ? 86
             : price < 16000 ? 74
             : price < 32000 ? 65
                             : 20) /
            100;
        t0 += xmas ? w / 4 + 1 : w;
        t1 += xmas ? w * 3 : w;
        g->pick_cum[0][i] = t0;
        g->pick_cum[1][i] = t1;
    }
    return true;
}

static uint32_t product_pick(bk_gen *g)
{
    const uint64_t *cum = g->pick_cum[g->month >= 9 ? 1 : 0];
    uint64_t u = rng_below(&g->rng, cum[g->n_regular - 1]);
    uint32_t lo = 0, hi = g->n_regular - 1;
    while (lo < hi) {
        uint32_t m = (lo + hi) / 2;
        if (cum[m] > u) {
            hi = m;
        } else {
            lo = m + 1;
        }
    }
    return lo;
}

/* ---------------------------------------------------------------------------------------- */
/* Customers: an active set sampled by weight through a Fenwick tree                         */

static void fenwick_add(bk_gen *g, uint32_t i, uint64_t delta, bool add)
{
    for (uint32_t k = i + 1; k <= g->n_customers; k += k & (~k + 1)) {
        g->fenwick[k] = add ? g->fenwick[k] + delta : g->fenwick[k] - delta;
    }
    g->active_weight = add ? g->active_weight + delta : g->active_weight - delta;
}

static uint32_t fenwick_pick(bk_gen *g)
{
    uint64_t r = rng_below(&g->rng, g->active_weight);
    uint32_t pos = 0;
    for (uint32_t step = g->fenwick_top; step != 0; step >>= 1) {
        if (pos + step <= g->n_customers && g->fenwick[pos + step] <= r) {
            pos += step;
            r -= g->fenwick[pos];
        }
    }
    return pos; /* 0-based: the customer at 1-based pos + 1 */
}

static bool customers_build(bk_gen *g, uint32_t initial_ppm)
{
    uint32_t n = g->n_customers;
    g->customers = bk_mem_calloc(n, sizeof(gen_customer));
    g->fenwick = bk_mem_calloc((size_t)n + 1, sizeof(uint64_t));
    g->arrivals = bk_mem_alloc((size_t)n * sizeof(uint32_t));
    g->arrival_from = bk_mem_calloc((size_t)g->n_days + 2, sizeof(uint32_t));
    if (g->customers == NULL || g->fenwick == NULL || g->arrivals == NULL ||
        g->arrival_from == NULL) {
        return false;
    }
    g->fenwick_top = 1;
    while (g->fenwick_top * 2 <= n) {
        g->fenwick_top *= 2;
    }
    /* The base that already existed arrives in the first month (the real December 2010). */
    int32_t n_first = 0;
    while (n_first < g->n_trading && g->trading[n_first] < 31) {
        n_first++;
    }
    int32_t id = GEN_FIRST_CUSTOMER;
    for (uint32_t i = 0; i < n; i++) {
        gen_customer *c = &g->customers[i];
        c->id = id;
        id += 1 + (rng_ppm(&g->rng, 360000) ? 1 : 0);
        c->country = (uint16_t)cdf_index(&g->country_named, &g->rng);
        if (n >= 1000 && i < BK_ARRAY_LEN(countries) && countries[i].named_rows > 0) {
            c->country = (uint16_t)i; /* every country has customers, as in the real data */
        }
        c->initial = n_first > 0 && rng_ppm(&g->rng, initial_ppm);
        /* The existing base are the survivors of earlier years: the more active part. */
        uint32_t u = c->initial ? 300000 + (uint32_t)rng_below(&g->rng, 700000)
                                : (uint32_t)rng_below(&g->rng, PPM);
        c->weight = (uint32_t)knots_at(u, grid14, customer_weight, 14);
        int32_t t = c->initial ? (int32_t)rng_below(&g->rng, (uint64_t)n_first)
                               : (int32_t)rng_below(&g->rng, (uint64_t)g->n_trading);
        c->last_day = g->trading[t]; /* the arrival day until the first order */
        g->arrival_from[c->last_day + 1]++;
    }
    for (int32_t d = 0; d <= g->n_days; d++) {
        g->arrival_from[d + 1] += g->arrival_from[d];
    }
    /* Counting sort by arrival day, using arrival_from[d] as the fill cursor, then restore. */
    for (uint32_t i = 0; i < n; i++) {
        g->arrivals[g->arrival_from[g->customers[i].last_day]++] = i;
    }
    for (int32_t d = g->n_days; d > 0; d--) {
        g->arrival_from[d] = g->arrival_from[d - 1];
    }
    g->arrival_from[0] = 0;
    for (uint32_t i = 0; i < n; i++) {
        g->customers[i].last_day = -1;
    }
    return true;
}

/*
 * After an order the customer may stop buying for good. The probability is high after a
 * first order and falls with every further one (loyalty builds), is up to twice as high for
 * customers who buy rarely, higher for small baskets and after a long silence, and half for
 * the customers who were already buying before the first day. So frequency, monetary value
 * and recency all predict churn, as they do in the real data.
 */
static void customer_after_order(bk_gen *g, const gen_invoice *inv)
{
    gen_customer *c = &g->customers[inv->customer];
    int32_t gap = c->last_day < 0 ? 0 : g->day - c->last_day;
    c->last_day = g->day;
    if (c->churned) {
        return; /* a second order on the day it churned */
    }
    uint64_t n = ++c->n_orders;
    uint64_t p = GEN_CHURN_FLOOR + GEN_CHURN_SPAN / (n * n);
    p = p * (100 + 100 * 30 / (30 + c->weight)) / 100;
    if (c->initial) {
        p /= 2;
    }
    if (inv->value < 250000) {
        p = p * 16 / 10; /* under 250 pounds */
    } else if (inv->value >= 1000000) {
        p = p / 2; /* 1,000 pounds or more */
    }
    if (gap > 90) {
        p *= 2;
    }
    if (rng_ppm(&g->rng, (uint32_t)BK_MIN(p, (uint64_t)PPM))) {
        c->churned = true;
        fenwick_add(g, (uint32_t)inv->customer, c->weight, false);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* A day: plan its invoices, then emit them line by line                                    */

static void invoice_push(bk_gen *g, gen_kind kind, int32_t customer, uint64_t *rows_left)
{
    gen_invoice *inv = &g->inv[g->n_inv];
    const int32_t *knots = kind == KIND_ORDER         ? lines_named
                           : kind == KIND_WEB         ? lines_web
                           : kind == KIND_CANCEL      ? lines_cancel
                           : kind == KIND_CANCEL_ANON ? lines_cancel_anon
                                                      : NULL;
    uint64_t n = knots != NULL ? (uint64_t)knots_sample(&g->rng, grid14, knots, 14) : 1;
    n = BK_MAX(n, 1);
    n = BK_MIN(n, *rows_left);
    *rows_left -= n;
    memset(inv, 0, sizeof(*inv));
    inv->n_lines = (uint32_t)n;
    inv->seq = g->n_inv;
    inv->kind = (uint8_t)kind;
    inv->customer = customer;
    inv->country = customer >= 0 ? g->customers[customer].country
                                 : (uint16_t)cdf_index(&g->country_anon, &g->rng);
    int hour_group = kind == KIND_ORDER                                ? 0
                     : kind == KIND_CANCEL || kind == KIND_CANCEL_ANON ? 1
                                                                       : 2;
    uint32_t hour = 6 + cdf_index(&g->hour[hour_group], &g->rng);
    inv->minute = (uint16_t)(hour * 60 + (uint32_t)rng_below(&g->rng, 60));
    inv->special = SP_NONE;
    const gen_country *co = &countries[inv->country];
    uint32_t roll = (uint32_t)rng_below(&g->rng, 1000);
    switch (kind) {
    case KIND_ORDER:
        if (roll < co->post_permille) {
            inv->special = inv->country == GEN_EIRE ? SP_CARRIAGE : SP_POST;
            inv->special_at = rng_ppm(&g->rng, 700000) ? inv->n_lines - 1 : 0;
        }
        break;
    case KIND_WEB:
        if (roll < 590) {
            inv->special = SP_DOT;
            inv->special_at = inv->n_lines > 1 ? 1 + (uint32_t)rng_below(&g->rng, n - 1) : 0;
        }
        break;
    case KIND_CANCEL:
        inv->special = roll < 21                          ? SP_DISCOUNT
                       : roll < 61                        ? SP_MANUAL
                       : roll < 65                        ? SP_CRUK
                       : (roll < 95 && inv->country != 0) ? SP_POST
                                                          : SP_NONE;
        break;
    case KIND_CANCEL_ANON:
        inv->special = roll < 170   ? SP_AMAZON
                       : roll < 500 ? SP_SAMPLES
                       : roll < 630 ? SP_BANK
                       : roll < 780 ? SP_MANUAL
                                    : SP_NONE;
        break;
    case KIND_ANON_LINE:
        inv->special = roll < 110   ? SP_POST
                       : roll < 190 ? SP_MANUAL
                       : roll < 200 ? SP_BANK
                                    : SP_NONE;
        break;
    default:
        break;
    }
    g->n_inv++;
}

static int invoice_cmp(const void *a, const void *b)
{
    const gen_invoice *x = a;
    const gen_invoice *y = b;
    if (x->minute != y->minute) {
        return x->minute < y->minute ? -1 : 1;
    }
    return x->seq < y->seq ? -1 : x->seq > y->seq ? 1 : 0;
}

/* Moves to the next day that has rows and plans its invoices; false when none is left. */
static bool day_plan(bk_gen *g)
{
    while (g->day + 1 < g->n_days) {
        g->day++;
        uint64_t before = g->weight_before;
        g->weight_before += g->day_w[g->day];
        uint64_t rows = g->opt.rows;
        uint64_t target0 = (uint64_t)((bk_u128)rows * before / g->weight_total);
        uint64_t target1 = (uint64_t)((bk_u128)rows * g->weight_before / g->weight_total);
        uint64_t left = target1 - target0;
        g->n_inv = 0;
        for (uint32_t a = g->arrival_from[g->day]; a < g->arrival_from[g->day + 1]; a++) {
            uint32_t c = g->arrivals[a];
            fenwick_add(g, c, g->customers[c].weight, true);
            if (left > 0) {
                invoice_push(g, KIND_ORDER, (int32_t)c, &left);
                g->order_debt++;
            }
        }
        /*
         * Web-shop orders are few and large (110 lines on average), so drawing them like the
         * other kinds would swing the share of anonymous rows by a point or two from seed to
         * seed. They get their share of the rows instead, cumulatively, so that one large
         * order may run over a day's share and the following days make up for it.
         */
        uint64_t web_target = (uint64_t)((bk_u128)target1 * GEN_WEB_ROWS_PPM / PPM);
        while (left > 0 && g->web_rows < web_target) {
            uint64_t before_push = left;
            invoice_push(g, KIND_WEB, -1, &left);
            g->web_rows += before_push - left;
        }
        while (left > 0) {
            gen_kind kind = (gen_kind)kind_share[cdf_index(&g->kind, &g->rng)].value;
            int32_t customer = -1;
            if (kind == KIND_ORDER && g->order_debt > 0) {
                g->order_debt--; /* this order was a first order, already placed */
                continue;
            }
            if (kind == KIND_ORDER || kind == KIND_CANCEL) {
                if (g->active_weight == 0) {
                    kind = kind == KIND_ORDER ? KIND_WEB : KIND_CANCEL_ANON;
                } else {
                    customer = (int32_t)fenwick_pick(g);
                }
            }
            invoice_push(g, kind, customer, &left);
        }
        if (g->n_inv == 0) {
            continue;
        }
        qsort(g->inv, g->n_inv, sizeof(gen_invoice), invoice_cmp);
        bk_date_to_ymd(g->day0 + g->day, &g->year, &g->month, &g->mday);
        g->inv_pos = 0;
        g->line_pos = 0;
        return true;
    }
    return false;
}

static size_t put_u64(char *p, uint64_t v)
{
    char tmp[24];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    for (size_t i = 0; i < n; i++) {
        p[i] = tmp[n - 1 - i];
    }
    return n;
}

static size_t put_i64(char *p, int64_t v)
{
    if (v < 0) {
        p[0] = '-';
        return 1 + put_u64(p + 1, (uint64_t)0 - (uint64_t)v);
    }
    return put_u64(p, (uint64_t)v);
}

static void put_2d(char *p, int v)
{
    p[0] = (char)('0' + v / 10);
    p[1] = (char)('0' + v % 10);
}

/* Numbers the invoice and renders the text its lines share. */
static void invoice_begin(bk_gen *g, const gen_invoice *inv)
{
    /* Numbers go up by 1.73 on average (25,900 invoices in 536365..581587). */
    uint32_t roll = (uint32_t)rng_below(&g->rng, 100);
    uint32_t gap = roll < 55 ? 0u : roll < 80 ? 1u : roll < 92 ? 2u : 3u;
    g->next_invoice_no += g->next_invoice_no < GEN_FIRST_INVOICE ? 1u : 1u + gap;
    size_t n = 0;
    if (inv->kind == KIND_CANCEL || inv->kind == KIND_CANCEL_ANON) {
        g->head[n++] = 'C';
    }
    n += put_u64(g->head + n, g->next_invoice_no);
    g->head[n++] = ',';
    g->head_len = n;

    int hh = inv->minute / 60;
    int mm = inv->minute % 60;
    char *m = g->mid;
    m[0] = ',';
    put_2d(m + 1, g->year / 100);
    put_2d(m + 3, g->year % 100);
    m[5] = '-';
    put_2d(m + 6, g->month);
    m[8] = '-';
    put_2d(m + 9, g->mday);
    m[11] = ' ';
    put_2d(m + 12, hh);
    m[14] = ':';
    put_2d(m + 15, mm);
    memcpy(m + 17, ":00,", 4);
    g->invoice_us = (int64_t)(g->day0 + g->day) * BK_USECS_PER_DAY +
                    (int64_t)inv->minute * 60 * BK_USECS_PER_SEC;

    n = 0;
    g->tail[n++] = ',';
    if (inv->customer >= 0) {
        n += put_u64(g->tail + n, (uint64_t)g->customers[inv->customer].id);
        memcpy(g->tail + n, ".0", 2);
        n += 2;
    }
    g->customer_len = n - 1;
    g->tail[n++] = ',';
    n += put_str(g->tail + n, countries[inv->country].name);
    g->tail[n++] = '\n';
    g->tail_len = n;
}

/*
 * The quantity of an order line. Shops buy cheap lines by the dozen and dear ones singly:
 * the median quantity falls from 12 below 50p to 2 above 8 pounds in the real data, which
 * the maximum or minimum of two or three draws reproduces.
 */
static int32_t order_qty(bk_gen *g, int32_t price)
{
    int32_t q = cdf_value_or_tail(&g->qty_named, qty_named, &g->rng, qty_named_tail);
    uint32_t roll = (uint32_t)rng_below(&g->rng, 100);
    int n_more = price < 500    ? 1
                 : price < 1000 ? (roll < 60 ? 1 : 0)
                 : price < 2000 ? (roll < 20 ? 1 : 0)
                 : price < 4000 ? 0
                 : price < 8000 ? -1
                                : -2;
    for (int i = 0; i < (n_more < 0 ? -n_more : n_more); i++) {
        int32_t q2 = cdf_value_or_tail(&g->qty_named, qty_named, &g->rng, qty_named_tail);
        q = n_more > 0 ? BK_MAX(q, q2) : BK_MIN(q, q2);
    }
    return q;
}

static int32_t price_of(bk_gen *g, const gen_product *p, int32_t qty)
{
    int32_t q = qty < 0 ? -qty : qty;
    uint32_t bulk_ppm = q >= 100 ? 840000 : q >= 48 ? 500000 : q >= 24 ? 150000 : 40000;
    uint32_t roll = (uint32_t)rng_below(&g->rng, PPM);
    if (roll < bulk_ppm) {
        return p->bulk;
    }
    if (roll < bulk_ppm + 30000) {
        return p->higher;
    }
    return p->price;
}

static void special_line(bk_gen *g, const gen_invoice *inv, gen_special sp)
{
    gen_line *l = &g->line;
    bool cancel = inv->kind == KIND_CANCEL || inv->kind == KIND_CANCEL_ANON;
    int64_t price;
    int32_t qty = 1;
    if (sp == SP_POST || sp == SP_CARRIAGE) {
        price = countries[inv->country].post_price;
        price = price == 0 ? 15000 : price;
        if (sp == SP_POST && !cancel) {
            uint32_t roll = (uint32_t)rng_below(&g->rng, 100);
            qty = roll < 40 ? 1 : roll < 73 ? 2 : roll < 95 ? 3 : 4;
        }
    } else {
        price = knots_sample(&g->rng, grid7, specials[sp].price, 7);
        price = price >= 10 ? price / 10 * 10 : price;
    }
    l->product = g->n_regular + (uint32_t)sp;
    l->qty = cancel ? -qty : qty;
    l->price = price;
}

static void line_make(bk_gen *g, gen_invoice *inv, uint32_t k)
{
    gen_line *l = &g->line;
    l->note = NULL;
    l->no_description = false;
    if (inv->special != SP_NONE && k == inv->special_at) {
        special_line(g, inv, inv->special);
        return;
    }
    uint32_t pi = product_pick(g);
    const gen_product *p = &g->products[pi];
    l->product = pi;
    switch ((gen_kind)inv->kind) {
    case KIND_ORDER:
        if (rng_ppm(&g->rng, 1000)) {
            special_line(g, inv, SP_MANUAL);
            return;
        }
        if (rng_ppm(&g->rng, 10)) {
            special_line(g, inv, SP_PADS);
            return;
        }
        l->qty = order_qty(g, p->price);
        l->price = rng_ppm(&g->rng, 100) ? 0 : price_of(g, p, l->qty);
        break;
    case KIND_WEB:
    case KIND_ANON_LINE:
        if (p->price > 5000 && rng_ppm(&g->rng, 500000)) {
            l->product = pi = product_pick(g); /* web shoppers favour the cheaper lines */
            p = &g->products[pi];
        }
        l->qty = cdf_value_or_tail(&g->qty_web, qty_web, &g->rng, qty_web_tail);
        l->price = p->web;
        break;
    case KIND_CANCEL:
    case KIND_CANCEL_ANON:
        l->qty = -cdf_value_or_tail(&g->qty_cancel, qty_cancel, &g->rng, qty_cancel_tail);
        l->price = price_of(g, p, l->qty);
        break;
    case KIND_ADJUST:
    default:
        l->qty = (int32_t)knots_sample(&g->rng, grid7, qty_adjust, 7);
        l->qty = rng_ppm(&g->rng, 634000) ? -l->qty : l->qty;
        l->price = 0;
        if (rng_ppm(&g->rng, 690000)) {
            l->no_description = true;
        } else {
            l->note = PICK(&g->rng, adjust_notes);
        }
        break;
    }
}

/* Produces the next line into g->line / g->cur; false at the end. */
static bool gen_step(bk_gen *g)
{
    if (g->rows_done >= g->opt.rows) {
        return false;
    }
    if (g->inv_pos >= g->n_inv && !day_plan(g)) {
        return false;
    }
    gen_invoice *inv = &g->inv[g->inv_pos];
    if (g->line_pos == 0) {
        invoice_begin(g, inv);
    }
    line_make(g, inv, g->line_pos);
    inv->value += (int64_t)g->line.qty * g->line.price;
    g->cur = inv;
    g->rows_done++;
    if (++g->line_pos == inv->n_lines) {
        if (inv->kind == KIND_ORDER && inv->customer >= 0) {
            customer_after_order(g, inv);
        }
        g->inv_pos++;
        g->line_pos = 0;
    }
    return true;
}

/* ---------------------------------------------------------------------------------------- */
/* Public interface                                                                          */

void bk_gen_destroy(bk_gen *g)
{
    if (g == NULL) {
        return;
    }
    bk_mem_free(g->trading);
    bk_mem_free(g->day_w);
    bk_mem_free(g->products);
    bk_mem_free(g->names);
    bk_mem_free(g->pick_cum[0]);
    bk_mem_free(g->pick_cum[1]);
    bk_mem_free(g->customers);
    bk_mem_free(g->fenwick);
    bk_mem_free(g->arrivals);
    bk_mem_free(g->arrival_from);
    bk_mem_free(g->inv);
    bk_mem_free(g);
}

/* Days, trading days and the largest daily row count (which bounds a day's invoices). */
static bool calendar_build(bk_gen *g)
{
    g->day_w = bk_mem_alloc((size_t)g->n_days * sizeof(uint64_t));
    g->trading = bk_mem_alloc((size_t)g->n_days * sizeof(int32_t));
    if (g->day_w == NULL || g->trading == NULL) {
        return false;
    }
    for (int32_t d = 0; d < g->n_days; d++) {
        g->day_w[d] = day_weight(g, d);
        g->weight_total += g->day_w[d];
        if (g->day_w[d] != 0) {
            g->trading[g->n_trading++] = d;
        }
    }
    uint64_t most = 1, cum = 0;
    for (int32_t d = 0; d < g->n_days; d++) {
        uint64_t t0 = (uint64_t)((bk_u128)g->opt.rows * cum / g->weight_total);
        cum += g->day_w[d];
        uint64_t t1 = (uint64_t)((bk_u128)g->opt.rows * cum / g->weight_total);
        most = BK_MAX(most, t1 - t0);
    }
    if (most > UINT32_MAX / sizeof(gen_invoice)) {
        return false;
    }
    g->inv_cap = (uint32_t)most;
    g->inv = bk_mem_alloc((size_t)most * sizeof(gen_invoice));
    return g->inv != NULL;
}

bk_gen *bk_gen_create(const bk_gen_options *opt)
{
    if (opt == NULL || !(opt->bad_row_rate >= 0.0 && opt->bad_row_rate <= 1.0)) {
        return NULL;
    }
    bk_gen *g = bk_mem_calloc(1, sizeof(bk_gen));
    if (g == NULL) {
        return NULL;
    }
    g->opt = *opt;
    rng_seed(&g->rng, opt->seed, 1);
    rng_seed(&g->bad_rng, opt->seed, 2);
    /* rate * 2^53 is exact in double arithmetic, so the threshold is the same everywhere. */
    g->bad_threshold = (uint64_t)(opt->bad_row_rate * 9007199254740992.0);
    g->day = -1;
    g->next_invoice_no = GEN_FIRST_INVOICE - 1;
    cdf_init(&g->qty_named, qty_named, BK_ARRAY_LEN(qty_named));
    cdf_init(&g->qty_web, qty_web, BK_ARRAY_LEN(qty_web));
    cdf_init(&g->qty_cancel, qty_cancel, BK_ARRAY_LEN(qty_cancel));
    cdf_init(&g->modal, modal_price, BK_ARRAY_LEN(modal_price));
    for (size_t i = 0; i < 15; i++) {
        cdf_add(&g->hour[0], hour_order[i]);
        cdf_add(&g->hour[1], hour_cancel[i]);
        cdf_add(&g->hour[2], hour_anon[i]);
    }
    cdf_init(&g->kind, kind_share, BK_ARRAY_LEN(kind_share));
    for (size_t i = 0; i < BK_ARRAY_LEN(countries); i++) {
        cdf_add(&g->country_named, countries[i].named_rows);
        cdf_add(&g->country_anon, countries[i].anon_rows);
    }

    /* Scale: s = rows / 541,909; sq = sqrt(s) * 2^16. */
    uint64_t rows = opt->rows;
    uint64_t sq = isqrt128(((bk_u128)rows << 32) / GEN_REAL_ROWS);
    uint64_t n_cust;
    uint32_t initial_ppm;
    if (rows <= GEN_REAL_ROWS) {
        g->n_days = GEN_REAL_SPAN;
        n_cust = (GEN_REAL_CUSTOMERS * rows + GEN_REAL_ROWS / 2) / GEN_REAL_ROWS;
        initial_ppm = 166000;
    } else {
        g->n_days = (int32_t)BK_MIN((uint64_t)GEN_REAL_SPAN * sq >> 16, (uint64_t)2000000);
        n_cust = (uint64_t)((bk_u128)GEN_REAL_CUSTOMERS * 166 * sq / 1000 >> 16) +
                 (uint64_t)((bk_u128)GEN_REAL_CUSTOMERS * 834 * rows / 1000 / GEN_REAL_ROWS);
        initial_ppm = (uint32_t)((uint64_t)166 * 65536 * PPM / ((uint64_t)166 * 65536 + 834 * sq));
    }
    n_cust = BK_MAX(n_cust, 1);
    if (n_cust > UINT32_MAX / 2) {
        bk_gen_destroy(g);
        return NULL;
    }
    g->n_customers = (uint32_t)n_cust;
    g->day0 = bk_date_from_ymd(2010, 12, 1);

    if (!calendar_build(g) || !catalogue_build(g) || !popularity_build(g) ||
        !customers_build(g, initial_ppm)) {
        bk_gen_destroy(g);
        return NULL;
    }
    return g;
}

/* Python float repr of a price in mills: "18.0", "2.1", "2.55", "0.001". */
static size_t put_price(char *p, int64_t mills)
{
    size_t n = 0;
    if (mills < 0) {
        p[n++] = '-';
        mills = -mills;
    }
    n += put_u64(p + n, (uint64_t)(mills / 1000));
    p[n++] = '.';
    int f = (int)(mills % 1000);
    p[n++] = (char)('0' + f / 100);
    if (f % 100 != 0) {
        p[n++] = (char)('0' + f / 10 % 10);
        if (f % 10 != 0) {
            p[n++] = (char)('0' + f % 10);
        }
    }
    return n;
}

bool bk_gen_next(bk_gen *g, bk_retail_row *out)
{
    if (!gen_step(g)) {
        return false;
    }
    const gen_line *l = &g->line;
    const gen_product *p = &g->products[l->product];
    size_t no_len = g->head_len - 1;
    out->invoice_no = (bk_str){g->head, no_len};
    out->stock_code = (bk_str){p->code, p->code_len};
    if (l->no_description) {
        out->description = (bk_str){"", 0};
        out->has_description = false;
    } else if (l->note != NULL) {
        out->description = bk_str_from_cstr(l->note);
        out->has_description = true;
    } else {
        out->description = (bk_str){g->names + p->desc_off, p->desc_len};
        out->has_description = true;
    }
    out->quantity = l->qty;
    out->invoice_date = g->invoice_us;
    int64_t m = l->price;
    if (m % 100 == 0) {
        out->unit_price = m / 100;
        out->unit_price_scale = 1;
    } else if (m % 10 == 0) {
        out->unit_price = m / 10;
        out->unit_price_scale = 2;
    } else {
        out->unit_price = m;
        out->unit_price_scale = 3;
    }
    out->has_customer_id = g->cur->customer >= 0;
    out->customer_id = out->has_customer_id ? g->customers[g->cur->customer].id : 0;
    out->country = bk_str_from_cstr(countries[g->cur->country].name);
    return true;
}

/* "CODE,DESCRIPTION," of the current line: the product's prepared fragment, or built. */
static size_t put_code_desc(bk_gen *g, char *p)
{
    const gen_line *l = &g->line;
    const gen_product *pr = &g->products[l->product];
    if (!l->no_description && l->note == NULL) {
        memcpy(p, g->names + pr->frag_off, pr->frag_len);
        return pr->frag_len;
    }
    size_t n = 0;
    memcpy(p, pr->code, pr->code_len);
    n += pr->code_len;
    p[n++] = ',';
    if (l->note != NULL) {
        bool quote = strchr(l->note, ',') != NULL || strchr(l->note, '"') != NULL;
        if (quote) {
            p[n++] = '"';
        }
        for (const char *s = l->note; *s != '\0'; s++) {
            if (*s == '"') {
                p[n++] = '"';
            }
            p[n++] = *s;
        }
        if (quote) {
            p[n++] = '"';
        }
    }
    p[n++] = ',';
    return n;
}

/* The good line: head, code and description, quantity, date, price, customer and country. */
static size_t put_line(bk_gen *g, char *p)
{
    size_t n = 0;
    memcpy(p, g->head, g->head_len);
    n += g->head_len;
    n += put_code_desc(g, p + n);
    n += put_i64(p + n, g->line.qty);
    memcpy(p + n, g->mid, 21);
    n += 21;
    n += put_price(p + n, g->line.price);
    memcpy(p + n, g->tail, g->tail_len);
    return n + g->tail_len;
}

typedef enum gen_bad {
    BAD_COLUMNS,
    BAD_QUANTITY,
    BAD_DATE,
    BAD_QUOTE,
    BAD_PRICE,
    BAD_CUSTOMER,
    BAD_COUNT_
} gen_bad;

/*
 * A malformed record in place of the current line: the wrong number of columns, a quantity,
 * date, price or customer id that does not parse, or a description whose quote is not closed
 * on its line (it closes at the start of the next line, so the record has six fields). Each
 * is exactly one CSV record for a conforming reader.
 */
static size_t put_bad_line(bk_gen *g, char *p, uint64_t draw)
{
    gen_bad kind = (gen_bad)(draw % BAD_COUNT_);
    int variant = (int)(draw / BAD_COUNT_ % 4);
    size_t n = 0;

    /* The fields of the good line, as text. */
    char code_desc[256], qty[24], price[32];
    size_t cd_len = put_code_desc(g, code_desc);
    size_t qty_len = (size_t)put_i64(qty, g->line.qty);
    size_t price_len = put_price(price, g->line.price);
    const char *date = g->mid + 1; /* 19 characters */
    const char *cust = g->tail + 1;
    size_t cust_len = g->customer_len;
    const char *country = g->tail + 1 + cust_len + 1;
    size_t country_len = g->tail_len - cust_len - 3;

#define PUT(s, len)          \
 do {                        \
  memcpy(p + n, (s), (len)); \
  n += (len);                \
 } while (0)
#define PUTS(s) PUT((s), strlen(s))

    PUT(g->head, g->head_len);
    if (kind == BAD_QUOTE) {
        /* CODE,"DESCRIPTION,QTY,DATE <newline> ",PRICE,CUSTOMER,COUNTRY */
        size_t code_len = g->products[g->line.product].code_len;
        PUT(code_desc, code_len + 1);
        const char *d = code_desc + code_len + 1;
        size_t d_len = cd_len - code_len - 2;
        if (d_len > 0 && d[0] == '"') {
            d++;
            d_len -= 2; /* already quoted: drop the closing quote (inner quotes stay doubled) */
        }
        p[n++] = '"';
        PUT(d, d_len);
        p[n++] = ',';
        PUT(qty, qty_len);
        p[n++] = ',';
        PUT(date, 19);
        PUTS("\n\",");
        PUT(price, price_len);
        p[n++] = ',';
        PUT(cust, cust_len);
        p[n++] = ',';
        PUT(country, country_len);
        p[n++] = '\n';
        return n;
    }
    PUT(code_desc, cd_len);
    if (kind == BAD_QUANTITY) {
        static const char *const bad_qty[4] = {"x", "N/A", "1.5", "99999999999"};
        if (variant == 0) {
            PUT(qty, qty_len);
        }
        PUTS(bad_qty[variant]);
    } else {
        PUT(qty, qty_len);
    }
    p[n++] = ',';
    if (kind == BAD_DATE) {
        char d[20];
        memcpy(d, date, 19);
        d[19] = '\0';
        if (variant == 0) {
            memcpy(d + 5, "02-30", 5);
        } else if (variant == 1) {
            memcpy(d + 5, "13", 2);
        } else if (variant == 2) {
            memcpy(d + 11, "25:61", 5);
        } else {
            memcpy(d, "not a date", 11);
        }
        PUTS(d);
    } else {
        PUT(date, 19);
    }
    p[n++] = ',';
    if (kind == BAD_PRICE) {
        static const char *const bad_price[4] = {".5", "N/A", "--", "0x1F"};
        if (variant == 0) {
            PUT(price, price_len);
        }
        PUTS(bad_price[variant]);
    } else {
        PUT(price, price_len);
    }
    p[n++] = ',';
    if (kind == BAD_CUSTOMER) {
        static const char *const bad_cust[4] = {"x", "unknown", "-", "1.2.3"};
        if (variant == 0) {
            PUT(cust, cust_len);
        }
        PUTS(bad_cust[variant]);
    } else {
        PUT(cust, cust_len);
    }
    if (kind == BAD_COLUMNS && variant < 2) {
        p[n++] = '\n'; /* seven fields: no country */
        return n;
    }
    p[n++] = ',';
    PUT(country, country_len);
    if (kind == BAD_COLUMNS) {
        PUTS(",X"); /* nine fields */
    }
    p[n++] = '\n';
    return n;
#undef PUT
#undef PUTS
}

bool bk_gen_next_csv(bk_gen *g, bk_buf *out, bk_rc *rc)
{
    if (rc != NULL) {
        *rc = BK_OK;
    }
    if (g->rows_done >= g->opt.rows) {
        return false;
    }
    /* Reserve first, so that an OOM loses no row. */
    if (bk_buf_reserve(out, GEN_LINE_MAX) != BK_OK) {
        if (rc != NULL) {
            *rc = BK_ERR;
        }
        return false;
    }
    if (!gen_step(g)) {
        return false;
    }
    char *p = out->ptr + out->len;
    if (g->bad_threshold != 0) {
        uint64_t u = rng_next(&g->bad_rng) >> 11;
        uint64_t draw = rng_next(&g->bad_rng) >> 8;
        if (u < g->bad_threshold) {
            out->len += put_bad_line(g, p, draw);
            return true;
        }
    }
    out->len += put_line(g, p);
    return true;
}

const char *bk_gen_csv_header(void)
{
    return "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n";
}

bk_rc bk_gen_load(bk_table *t, uint64_t rows, uint64_t seed, bk_load_stats *stats, bk_error *err)
{
    uint64_t t0 = bk_clock_mono_ns();
    bk_gen_options opt = {.rows = rows, .seed = seed, .bad_row_rate = 0.0};
    bk_gen *g = bk_gen_create(&opt);
    if (g == NULL) {
        return bk_raise(err, OUT_OF_MEMORY, "out of memory");
    }
    bk_retail_sink *sink = bk_retail_sink_create(t, err);
    if (sink == NULL) {
        bk_gen_destroy(g);
        return BK_ERR;
    }
    bk_retail_row row;
    uint64_t n = 0;
    while (bk_gen_next(g, &row)) {
        if (bk_retail_sink_add(sink, &row, err) != BK_OK) {
            bk_retail_sink_abort(sink);
            bk_gen_destroy(g);
            return BK_ERR;
        }
        n++;
    }
    bk_gen_destroy(g);
    if (bk_retail_sink_commit(sink, err) != BK_OK) {
        return BK_ERR;
    }
    if (stats != NULL) {
        memset(stats, 0, sizeof(*stats));
        stats->rows_loaded = n;
        stats->seconds = (double)(bk_clock_mono_ns() - t0) / 1e9;
    }
    return BK_OK;
}
