/* wltime.c: capture timestamps as text. */
#include "wltime.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

void wltime_iso(char *buf, size_t n, const struct timeval *ts)
{
	time_t t = ts->tv_sec;
	struct tm tm;
	if (!gmtime_r(&t, &tm)) {
		snprintf(buf, n, "%" PRId64 ".%06ld", (int64_t)ts->tv_sec, (long)ts->tv_usec);
		return;
	}
	snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		 tm.tm_hour, tm.tm_min, tm.tm_sec, (long)ts->tv_usec);
}

void wltime_epoch(char *buf, size_t n, const struct timeval *ts)
{
	snprintf(buf, n, "%" PRId64 ".%06ld", (int64_t)ts->tv_sec, (long)ts->tv_usec);
}
