/* SPDX-License-Identifier: Apache-2.0 */
/* Clocks, replaceable by tests (deterministic simulation injects its own). */
#include <time.h>

#include "common.h"

static uint64_t sys_mono_ns(void)
{
    struct timespec ts;
    (void)clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int64_t sys_real_us(void)
{
    struct timespec ts;
    (void)clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static uint64_t (*mono_source)(void) = sys_mono_ns;
static int64_t (*real_source)(void) = sys_real_us;

uint64_t bk_clock_mono_ns(void)
{
    return mono_source();
}

int64_t bk_clock_real_us(void)
{
    return real_source();
}

void bk_clock_set_source(uint64_t (*mono_ns)(void), int64_t (*real_us)(void))
{
    mono_source = mono_ns != NULL ? mono_ns : sys_mono_ns;
    real_source = real_us != NULL ? real_us : sys_real_us;
}
