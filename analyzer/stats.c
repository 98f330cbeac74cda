/* stats.c: counters of a run. */
#include "stats.h"

void stats_each_counter(const struct wl_stats *s,
			void (*fn)(void *ctx, const char *name, const char *text, uint64_t v), void *ctx)
{
#define WL_STATS_EACH(name, text) fn(ctx, #name, text, s->name);
	WL_COUNTERS(WL_STATS_EACH)
#undef WL_STATS_EACH
}

void stats_count_status(struct wl_stats *s, int status)
{
	s->responses++;
	if (status >= 0 && status < 1000)
		s->status[status]++;
	int cls = status / 100;
	s->status_class[cls >= 1 && cls <= 5 ? cls : 0]++;
}

void stats_add(struct wl_stats *to, const struct wl_stats *from)
{
	/* Every field is a uint64_t counter: added as an array. */
	_Static_assert(sizeof *to % sizeof(uint64_t) == 0, "struct wl_stats holds counters only");
	uint64_t *t = (uint64_t *)to;
	const uint64_t *f = (const uint64_t *)from;
	for (size_t i = 0; i < sizeof *to / sizeof *t; i++)
		t[i] += f[i];
}
