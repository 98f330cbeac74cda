/* balance.h: whether -j's threads would finish sooner with one worker thread resting and another running its shards. */
#ifndef WL_BALANCE_H
#define WL_BALANCE_H

#include <stdbool.h>

/*
 * CPU time below which a stretch says nothing (seconds, all threads): a
 * live capture waiting for packets, or too short a stretch to tell.
 */
#define BALANCE_MIN_CPU 0.005
/* The time one thread fewer must save, as a share of the time now: less is within the noise. */
#define BALANCE_GAIN 0.10
/* The share of hand-overs that may find a worker's queue full: past it, the workers are behind. */
#define BALANCE_FULL_MAX (1.0 / 32)

/*
 * Under -j N on N cores, the reading thread and the N workers are one
 * thread more than cores, so one core runs the reader and a worker by
 * turns; the kernel puts the reader beside the lightest worker.  When the
 * reading thread is the heavy one (traffic whose messages repeat, so the
 * workers' memos leave them little to do), the run takes about as long as
 * the reader and that worker together, and is shorter with that worker
 * resting, its shards run by the next lightest: the reader then has a
 * core to itself (docs/performance.md, "A worker thread rests").
 *
 * Over the same stretch of the run, the reading thread used r seconds of
 * CPU and worker thread i t[i], of n, none resting, where the process may
 * use `cores` cores, and a share `full` of the batches it handed over
 * found their worker's queue full, so that it waited.  The time each layout would take is estimated as
 * the busiest core's: now max(max t, r + min t); with thread j (the
 * lightest) resting and k (the next lightest) running its shards as well,
 * max(r, t[k] + t[j], the others).  Returns true, with *rest = j and
 * *to = k, when that is at least BALANCE_GAIN shorter; false when the
 * threads are not one more than the cores (n != cores), n < 2, the
 * stretch used less than BALANCE_MIN_CPU in all, or `full` is over
 * BALANCE_FULL_MAX: the reading thread waiting on the workers is the
 * sign that they are behind, whatever their CPU times say (early in a
 * capture the reading thread may be busier than it will be, filling its
 * tables), and a worker fewer could only make the run longer.
 */
bool balance_rest(double r, const double *t, unsigned n, unsigned cores, double full, unsigned *rest, unsigned *to);

#endif
