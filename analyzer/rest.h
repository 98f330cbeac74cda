/* rest.h: a memo's few slots: the one that makes room, and a search of them all paid for only while it finds. */
#ifndef WL_REST_H
#define WL_REST_H

#include <stdbool.h>
#include <stdint.h>

/*
 * The memos of heads and messages alike (head.c, http.c) keep a few of
 * each kind, for a client's few URLs asked for in turn, and compare a new
 * one with the slot found or kept last first; traffic that seldom repeats
 * would pay for comparing it with all the others too.  So a window of
 * REST_WINDOW searches of the others in which fewer than one in eight
 * found is followed by a rest: for the next REST_WINDOWS windows' worth of
 * lookups the last slot does not answer, the others are not searched
 * (what a memo of one slot would do); then they are again, and counted.
 * verdict.c's lookups rest in a like way, with lengths of their own.
 */
#define REST_WINDOW 1024u
#define REST_WINDOWS 15u

struct rest {
	uint32_t n, hits; /* the window's searches of the other slots, and those that found */
	uint32_t left;    /* searches left to pass over in the rest */
};

/* Whether a lookup the last slot did not answer searches the others (false while resting). */
static inline bool rest_search_others(struct rest *r)
{
	if (r->left) {
		r->left--;
		return false;
	}
	return true;
}

/*
 * The slot other than last used least long ago (used[i]: when slot i was
 * kept or found, by the memo's own count; 0 never): the one that makes
 * room for a new one.  The heads', messages' and verdicts' memos all
 * choose so.
 */
static inline unsigned rest_oldest(const uint64_t *used, unsigned n, unsigned last)
{
	unsigned oldest = last == 0 && n > 1 ? 1 : 0;
	for (unsigned i = 0; i < n; i++)
		if (i != last && used[i] < used[oldest])
			oldest = i;
	return oldest;
}

/* Counts a search of the others: found or not. */
static inline void rest_count(struct rest *r, bool found)
{
	r->hits += found;
	if (++r->n < REST_WINDOW)
		return;
	if (r->hits * 8 < REST_WINDOW)
		r->left = REST_WINDOWS * REST_WINDOW;
	r->n = r->hits = 0;
}

#endif
