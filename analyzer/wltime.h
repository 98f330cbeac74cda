/* wltime.h: capture timestamps as text. */
#ifndef WL_WLTIME_H
#define WL_WLTIME_H

#include <stddef.h>
#include <sys/time.h>

/* Formats ts as ISO 8601 UTC with microseconds: 2024-05-01T10:00:00.123456Z. */
void wltime_iso(char *buf, size_t n, const struct timeval *ts);

/* Formats ts as seconds since the epoch with microseconds: 1714557600.123456. */
void wltime_epoch(char *buf, size_t n, const struct timeval *ts);

#endif
