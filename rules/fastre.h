/* fastre.h: the patterns of the built-in rules that run on most responses, matched by code instead of regexec. */
#ifndef WL_FASTRE_H
#define WL_FASTRE_H

#include <stdbool.h>
#include <stddef.h>

/* Whether p[0..n), which holds no NUL byte, matches a pattern. */
typedef bool (*fastre_fn)(const char *p, size_t n);

/*
 * The code that gives the same answer as regexec for pattern pat compiled
 * with REG_EXTENDED (and REG_ICASE when icase) in the C locale, or NULL
 * when pat is not one of those known.  Patterns are compared as text, so a
 * user's rule with the same pattern gets the same code.
 */
fastre_fn fastre_find(const char *pat, bool icase);

/* The i-th pattern known, or NULL past the last (for the tests). */
const char *fastre_pattern(size_t i);

#endif
