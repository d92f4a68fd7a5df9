/* SPDX-License-Identifier: Apache-2.0 */
/*
 * common/fault.c (and the bk_mem_* allocators it guards): allocation countdowns, fail-once and
 * fail-forever, attempt counts, and named crash points (checked in forked children).
 */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bk_test.h"
#include "common/common.h"

static void test_fault_disarmed_never_fails(void **state)
{
    (void)state;
    bk_fault_alloc_disarm();
    for (int i = 0; i < 100; i++) {
        assert_false(bk_fault_alloc_should_fail());
        void *p = bk_mem_alloc(16);
        assert_non_null(p);
        bk_mem_free(p);
    }
}

static void test_fault_countdown_fails_once(void **state)
{
    (void)state;
    bk_fault_alloc_arm(3, false);
    bool seq[8];
    for (int i = 0; i < 8; i++) {
        void *p = bk_mem_alloc(8);
        seq[i] = p != NULL;
        bk_mem_free(p);
    }
    bk_fault_alloc_disarm();
    bool want[8] = {true, true, true, false, true, true, true, true};
    for (int i = 0; i < 8; i++) {
        assert_int_equal(seq[i], want[i]);
    }
}

static void test_fault_countdown_zero_fails_next(void **state)
{
    (void)state;
    bk_fault_alloc_arm(0, false);
    assert_null(bk_mem_calloc(4, 4));
    void *p = bk_mem_calloc(4, 4);
    assert_non_null(p);
    bk_mem_free(p);
    bk_fault_alloc_disarm();
}

static void test_fault_forever_fails_until_disarmed(void **state)
{
    (void)state;
    bk_fault_alloc_arm(2, true);
    void *a = bk_mem_alloc(8);
    void *b = bk_mem_alloc(8);
    assert_non_null(a);
    assert_non_null(b);
    for (int i = 0; i < 20; i++) {
        assert_null(bk_mem_alloc(8));
        assert_null(bk_mem_calloc(1, 8));
    }
    bk_fault_alloc_disarm();
    void *c = bk_mem_alloc(8);
    assert_non_null(c);
    bk_mem_free(a);
    bk_mem_free(b);
    bk_mem_free(c);
}

static void test_fault_counts_attempts_since_arming(void **state)
{
    (void)state;
    bk_fault_alloc_arm(1000, false);
    assert_int_equal(bk_fault_alloc_count(), 0);
    for (int i = 0; i < 5; i++) {
        bk_mem_free(bk_mem_alloc(1));
    }
    assert_int_equal(bk_fault_alloc_count(), 5);
    /* Re-arming restarts the count. */
    bk_fault_alloc_arm(1000, false);
    assert_int_equal(bk_fault_alloc_count(), 0);
    bk_fault_alloc_disarm();
}

static void test_fault_realloc_failure_keeps_block(void **state)
{
    (void)state;
    char *p = bk_mem_alloc(4);
    assert_non_null(p);
    p[0] = 'k';
    bk_fault_alloc_arm(0, false);
    char *q = bk_mem_realloc(p, 1 << 20);
    assert_null(q);
    bk_fault_alloc_disarm();
    assert_int_equal(p[0], 'k'); /* still ours, still valid */
    q = bk_mem_realloc(p, 1 << 20);
    assert_non_null(q);
    assert_int_equal(q[0], 'k');
    bk_mem_free(q);
}

/* Runs `passes` crash points named `name` in a child with BASKET_CRASHPOINT=`spec`. */
static int crash_child(const char *spec, const char *name, int passes)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (spec != NULL) {
            setenv("BASKET_CRASHPOINT", spec, 1);
        } else {
            unsetenv("BASKET_CRASHPOINT");
        }
        bk_fault_init();
        for (int i = 0; i < passes; i++) {
            BK_CRASHPOINT(name);
        }
        _exit(0);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return status;
}

static bool aborted(int status)
{
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

static bool exited_ok(int status)
{
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void test_crashpoint_disarmed_is_a_no_op(void **state)
{
    (void)state;
    assert_true(exited_ok(crash_child(NULL, "wal.after_append", 10)));
    assert_true(exited_ok(crash_child("", "wal.after_append", 10)));
}

static void test_crashpoint_aborts_on_first_pass(void **state)
{
    (void)state;
    assert_true(aborted(crash_child("wal.after_append", "wal.after_append", 1)));
    /* Another name does not trigger it. */
    assert_true(exited_ok(crash_child("wal.after_append", "wal.before_fsync", 10)));
}

static void test_crashpoint_aborts_on_nth_pass(void **state)
{
    (void)state;
    assert_true(exited_ok(crash_child("snap.rename:3", "snap.rename", 2)));
    assert_true(aborted(crash_child("snap.rename:3", "snap.rename", 3)));
    /* A count below 1 means the first pass. */
    assert_true(aborted(crash_child("snap.rename:0", "snap.rename", 1)));
}

static int teardown(void **state)
{
    (void)state;
    bk_fault_alloc_disarm();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_fault_disarmed_never_fails, teardown),
        cmocka_unit_test_teardown(test_fault_countdown_fails_once, teardown),
        cmocka_unit_test_teardown(test_fault_countdown_zero_fails_next, teardown),
        cmocka_unit_test_teardown(test_fault_forever_fails_until_disarmed, teardown),
        cmocka_unit_test_teardown(test_fault_counts_attempts_since_arming, teardown),
        cmocka_unit_test_teardown(test_fault_realloc_failure_keeps_block, teardown),
        cmocka_unit_test(test_crashpoint_disarmed_is_a_no_op),
        cmocka_unit_test(test_crashpoint_aborts_on_first_pass),
        cmocka_unit_test(test_crashpoint_aborts_on_nth_pass),
    };
    return bk_run_group_tests("common/fault", tests, NULL, NULL);
}
