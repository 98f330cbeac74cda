/* verdict.h: the findings the rules gave a transaction, kept for the next one with the very same inputs. */
#ifndef WL_VERDICT_H
#define WL_VERDICT_H

#include <stdbool.h>
#include <stdint.h>

struct txn;
struct verdict_slot;

/*
 * The rules judge a transaction by its heads (request, response, trailers),
 * its flags, its content's sizes and first bytes, the content kept for
 * them and the second its response was seen in, and by nothing else: the
 * same inputs give the same findings.  A server under load answers the
 * same request with the same response again and again, and then the
 * findings are copied rather than judged anew (docs/performance.md,
 * "The same inputs judged once").
 *
 * The inputs are written out whole (the key) and compared byte for byte
 * with those kept, never by their hash alone.  The last VERDICT_RECENT
 * verdicts found or kept are compared first, by their heads alone when a
 * transaction has the very heads one was judged with (held until it
 * makes room for another: heads are not changed once frozen, and heads
 * alike are one, hb_freeze_alike), and the last one also where the
 * inputs lie, before a key is written or hashed (a server under load
 * answers alike in a row, or its few URLs in turn).  Per thread, VERDICT_SETS
 * sets of VERDICT_WAYS, so that workers share nothing: at most about
 * 400 KiB a thread, whatever the capture.  Keys longer than
 * VERDICT_KEY_MAX bytes, and verdicts of more than VERDICT_FINDINGS
 * findings, are not kept.  Traffic whose transactions seldom repeat
 * (fewer than one lookup in eight found, over VERDICT_WINDOW lookups) is
 * judged without looking for the next VERDICT_REST windows' worth of
 * transactions, and after each such window again the rest is twice as
 * long and one more (up to VERDICT_REST_MAX windows), so that it pays
 * little for the memo; a window with hits enough sets it back.
 */
#define VERDICT_SETS 64
#define VERDICT_RECENT 16
#define VERDICT_WAYS 2
#define VERDICT_KEY_MAX 2048
#define VERDICT_FINDINGS 4
#define VERDICT_WINDOW 1024
#define VERDICT_REST 15
#define VERDICT_REST_MAX 255

/* What verdict_replay leaves for verdict_keep. */
struct verdict_pending {
	struct verdict_slot *slot;    /* where the verdict goes, or NULL: not kept */
	const struct verdict_slot *check; /* WIRELINT_VERDICTS=check: the verdict kept, to compare */
	uint64_t hash;
	unsigned gen;
	uint32_t len;                 /* of the key, in this thread's scratch */
	uint16_t from;                /* t's findings before the rules */
};

/*
 * VERDICT_ON: the memo is used.  VERDICT_OFF: every transaction is judged.
 * VERDICT_CHECK: every transaction is judged and, where the memo had a
 * verdict, the program stops if the two differ: the tests' way of checking
 * that the key holds every input the rules read.
 */
enum verdict_mode { VERDICT_ON, VERDICT_OFF, VERDICT_CHECK };

/*
 * Sets the mode for every thread: from the environment (WIRELINT_VERDICTS
 * "off" or "check"; otherwise on, and with "stats" each thread's counts
 * written to stderr as it ends) when called with -1.  Before any thread
 * judges (rules_ready calls it), never while they do.
 */
void verdict_mode(int mode);

/*
 * Looks up t's inputs under gen (which changes whenever the rules or their
 * settings do).  True: the verdict kept was added to t's findings, and t
 * is judged.  False: the caller judges t, then calls verdict_keep with p.
 */
bool verdict_replay(struct txn *t, unsigned gen, struct verdict_pending *p);

/*
 * Keeps the findings the rules added to t (from p->from on) as the verdict
 * for its inputs; complete is false when one was lost (memory, the cap on
 * a transaction's findings), and then nothing is kept.
 */
void verdict_keep(const struct verdict_pending *p, const struct txn *t, bool complete);

/* This thread's counts, for tests and measurements. */
struct verdict_stats {
	uint64_t lookups, hits, kept;
	uint64_t too_long;  /* inputs of more than VERDICT_KEY_MAX bytes, or verdicts of too many findings */
	uint64_t passed;    /* transactions judged without a lookup, in rest after a window of few hits */
};
void verdict_stats(struct verdict_stats *s);

/*
 * Frees this thread's verdicts, lets go of the heads it held for the last
 * one, and zeroes its counts (a thread that judged calls it before it
 * ends, before hb_pool_drain: the heads' blocks go to the thread's kept
 * ones).
 */
void verdict_free(void);

#endif
