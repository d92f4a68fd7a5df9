/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fault-injection hooks (TESTING.md). Compiled into every build and disarmed by default: the
 * cost on the hot path is one load of a flag that is false. Tests arm them through this API
 * or the environment; the server never arms them itself.
 *
 * Allocation countdown: shared by all threads (atomics), so a fault loop can fail the k-th
 * allocation of a statement wherever it happens.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

static atomic_bool alloc_armed;
static atomic_uint_fast64_t alloc_countdown;
static atomic_uint_fast64_t alloc_seen;
static atomic_bool alloc_forever;
static atomic_bool alloc_tripped;

void bk_fault_alloc_arm(uint64_t countdown, bool forever)
{
    atomic_store(&alloc_countdown, countdown);
    atomic_store(&alloc_seen, 0);
    atomic_store(&alloc_forever, forever);
    atomic_store(&alloc_tripped, false);
    atomic_store(&alloc_armed, true);
}

void bk_fault_alloc_disarm(void)
{
    atomic_store(&alloc_armed, false);
}

uint64_t bk_fault_alloc_count(void)
{
    return atomic_load(&alloc_seen);
}

bool bk_fault_alloc_should_fail(void)
{
    if (BK_LIKELY(!atomic_load_explicit(&alloc_armed, memory_order_relaxed))) {
        return false;
    }
    atomic_fetch_add(&alloc_seen, 1);
    if (atomic_load(&alloc_tripped)) {
        return atomic_load(&alloc_forever);
    }
    uint_fast64_t left = atomic_load(&alloc_countdown);
    while (left > 0) {
        if (atomic_compare_exchange_weak(&alloc_countdown, &left, left - 1)) {
            return false;
        }
    }
    bool expected = false;
    if (atomic_compare_exchange_strong(&alloc_tripped, &expected, true)) {
        return true;
    }
    return atomic_load(&alloc_forever);
}

bool bk_fault_crashpoints_armed;
static char crash_name[128];
static atomic_long crash_remaining;

void bk_fault_init(void)
{
    const char *env = getenv("BASKET_CRASHPOINT");
    if (env == NULL || env[0] == '\0') {
        return;
    }
    size_t n = strcspn(env, ":");
    if (n >= sizeof crash_name) {
        n = sizeof crash_name - 1;
    }
    memcpy(crash_name, env, n);
    crash_name[n] = '\0';
    long count = 1;
    if (env[n] == ':') {
        count = strtol(env + n + 1, NULL, 10);
        if (count < 1) {
            count = 1;
        }
    }
    atomic_store(&crash_remaining, count);
    bk_fault_crashpoints_armed = true;
}

static void (*crash_hook)(void);

void bk_fault_set_crash_hook(void (*hook)(void))
{
    crash_hook = hook;
}

void bk_fault_crashpoint(const char *name)
{
    if (strcmp(name, crash_name) != 0) {
        return;
    }
    if (atomic_fetch_sub(&crash_remaining, 1) == 1) {
        if (crash_hook != NULL) {
            crash_hook();
        }
        static const char msg[] = "basket: crash point reached, aborting\n";
        fwrite(msg, 1, sizeof msg - 1, stderr);
        fflush(stderr);
        abort();
    }
}
