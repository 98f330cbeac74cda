/* balance.c: whether -j's threads would finish sooner with one worker thread resting. */
#include "balance.h"

bool balance_rest(double r, const double *t, unsigned n, unsigned cores, double full, unsigned *rest, unsigned *to)
{
	if (n < 2 || n != cores || full > BALANCE_FULL_MAX)
		return false;
	double sum = r, max = 0;
	unsigned j = 0;
	for (unsigned i = 0; i < n; i++) {
		sum += t[i];
		if (t[i] > max)
			max = t[i];
		if (t[i] < t[j])
			j = i;
	}
	if (sum < BALANCE_MIN_CPU)
		return false;
	unsigned k = j == 0 ? 1 : 0;
	for (unsigned i = 0; i < n; i++)
		if (i != j && t[i] < t[k])
			k = i;
	double now = r + t[j] > max ? r + t[j] : max;
	double after = r > t[k] + t[j] ? r : t[k] + t[j];
	for (unsigned i = 0; i < n; i++)
		if (i != j && i != k && t[i] > after)
			after = t[i];
	if (after > now * (1 - BALANCE_GAIN))
		return false;
	*rest = j;
	*to = k;
	return true;
}
