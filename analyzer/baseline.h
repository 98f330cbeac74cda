/* baseline.h: findings already accepted, so that only new ones count. */
#ifndef WL_BASELINE_H
#define WL_BASELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fingerprint.h"

struct bl_entry;

/*
 * A set of findings by fingerprint (fingerprint.h), each with how many
 * times it occurred.  Loaded from --baseline FILE, a finding whose
 * fingerprint has occurrences left is suppressed; gathered for
 * --write-baseline FILE, every finding is added.  At most max entries;
 * more are counted in dropped.
 */
struct baseline {
	struct bl_entry *hash;
	uint32_t count, max;
	uint64_t dropped;
};

void bl_init(struct baseline *b, uint32_t max);
void bl_free(struct baseline *b);

/* Adds one occurrence of the finding p whose fingerprint is fp. */
void bl_add(struct baseline *b, const struct fp_parts *p, const char *fp);

/* Takes one occurrence of fp: true when the baseline had one left (the finding is suppressed). */
bool bl_take(struct baseline *b, const char *fp);

/* Occurrences in the baseline that no finding took: what no longer occurs. */
uint64_t bl_unmatched(const struct baseline *b);

/* Reads a baseline file (the JSON --write-baseline writes); false with err set on any fault. */
bool bl_load(struct baseline *b, const char *path, char *err, size_t errlen);

/* Writes b as JSON, entries by fingerprint, so the file is the same for the same findings. */
bool bl_write(const struct baseline *b, const char *path, char *err, size_t errlen);

#endif
