/* stats.c: counters of a run. */
#include "stats.h"

void stats_add(struct wl_stats *dst, const struct wl_stats *src)
{
#define WL_STATS_ADD(name, text) dst->name += src->name;
	WL_COUNTERS(WL_STATS_ADD)
#undef WL_STATS_ADD
	dst->transactions += src->transactions;
	dst->responses += src->responses;
	for (int i = 0; i < 7; i++)
		dst->status_class[i] += src->status_class[i];
	for (int i = 0; i < 1000; i++)
		dst->status[i] += src->status[i];
	dst->findings += src->findings;
	for (int i = 0; i < rule_count; i++)
		dst->by_rule[i] += src->by_rule[i];
	for (int i = 0; i < SEV_COUNT; i++)
		dst->by_severity[i] += src->by_severity[i];
}

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
