/* rest.h: a memo's search of all its slots, paid for only while it finds what it looks for. */
#ifndef WL_REST_H
#define WL_REST_H

#include <stdbool.h>
#include <stdint.h>

/*
 * The memos of heads and messages alike (head.c, http.c) keep a few of
 * each kind, for a client's few URLs asked for in turn; traffic that
 * seldom repeats would pay for comparing each new one with all of them.
 * So a window of REST_WINDOW searches of all slots in which fewer than
 * one in eight found is followed by a rest of REST_WINDOWS windows' worth
 * of lookups that compare with the slot found or kept last only (what a
 * memo of one slot would do); then all slots are searched again, and
 * counted.  verdict.c's memo does the same with its own lengths.
 */
#define REST_WINDOW 1024u
#define REST_WINDOWS 15u

struct rest {
	uint32_t n, hits; /* the window's searches of all slots, and those that found */
	uint32_t left;    /* lookups left in the rest */
};

/* Whether the next lookup searches every slot (false: the last one only, while resting). */
static inline bool rest_search_all(struct rest *r)
{
	if (r->left) {
		r->left--;
		return false;
	}
	return true;
}

/* Counts a search of every slot; found or not. */
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
