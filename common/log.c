/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Log lines in PostgreSQL's default shape ("2026-11-25 14:33:36.123 UTC [pid] LOG:  text") on
 * stderr. Each line is formatted into a stack buffer and written with one write(2), so lines
 * from several threads never interleave.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

static bk_log_level min_level = BK_LOG_INFO;

void bk_log_set_level(bk_log_level level)
{
    min_level = level;
}

static const char *level_word(bk_log_level level)
{
    switch (level) {
    case BK_LOG_DEBUG:
        return "DEBUG";
    case BK_LOG_INFO:
        return "LOG";
    case BK_LOG_WARNING:
        return "WARNING";
    case BK_LOG_ERROR:
        return "ERROR";
    case BK_LOG_FATAL:
        return "FATAL";
    }
    return "LOG";
}

void bk_log(bk_log_level level, const char *fmt, ...)
{
    if (level < min_level) {
        return;
    }
    char line[2048];
    struct timespec ts;
    (void)clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    (void)gmtime_r(&ts.tv_sec, &tm);
    int n = snprintf(line, sizeof line,
                     "%04d-%02d-%02d %02d:%02d:%02d.%03ld UTC [%d] %s:  ", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     ts.tv_nsec / 1000000, (int)getpid(), level_word(level));
    if (n < 0) {
        return;
    }
    size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + len, sizeof line - len, fmt, ap);
    va_end(ap);
    if (m > 0) {
        len += (size_t)m < sizeof line - len ? (size_t)m : sizeof line - len - 1;
    }
    if (len >= sizeof line - 1) {
        len = sizeof line - 2;
    }
    line[len++] = '\n';
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(STDERR_FILENO, line + off, len - off);
        if (w <= 0) {
            break;
        }
        off += (size_t)w;
    }
}
