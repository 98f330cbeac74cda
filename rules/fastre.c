/* fastre.c: hand-written matchers for the hottest patterns of rules/builtin.yaml. */
#include "fastre.h"

#include <string.h>

/*
 * regexec costs about a thousand instructions on a 29-byte Date, and the
 * syntax rules run one on nearly every response (Date, ETag, Server,
 * Content-Length).  Each function here is the pattern above it written
 * out; tests/unit/test_fastre.c checks it against regexec on many valid
 * and broken values.  The program runs in the C locale (it never calls
 * setlocale), where [0-9] is the ASCII digits and '.' any byte but NUL.
 */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* (Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} (Jan|...|Dec) [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT: 29 bytes. */
static bool fixdate(const char *p, size_t n)
{
	static const char days[] = "MonTueWedThuFriSatSun";
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	static const char shape[] = "ddd, 00 mmm 0000 00:00:00 GMT";
	if (n != 29)
		return false;
	bool day = false, month = false;
	for (int i = 0; i < 7; i++)
		day = day || memcmp(p, days + 3 * i, 3) == 0;
	for (int i = 0; i < 12; i++)
		month = month || memcmp(p + 8, months + 3 * i, 3) == 0;
	if (!day || !month)
		return false;
	for (size_t i = 3; i < 29; i++) {
		if (i >= 8 && i < 11)
			continue;
		if (shape[i] == '0' ? !is_digit(p[i]) : p[i] != shape[i])
			return false;
	}
	return true;
}

/* ^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), ... GMT$ (the IMF-fixdate of Date) */
static bool m_fixdate(const char *p, size_t n)
{
	return fixdate(p, n);
}

/* ^[0-9]+$ */
static bool m_digits(const char *p, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_digit(p[i]))
			return false;
	return true;
}

/* ^([0-9]+|IMF-fixdate)$ (Retry-After) */
static bool m_delay_or_date(const char *p, size_t n)
{
	return m_digits(p, n) || fixdate(p, n);
}

/* "[^"]*" as the whole of p */
static bool quoted(const char *p, size_t n)
{
	return n >= 2 && p[0] == '"' && p[n - 1] == '"' && !memchr(p + 1, '"', n - 2);
}

/* ^(W\/)?"[^"]*"$ (ETag) */
static bool m_entity_tag(const char *p, size_t n)
{
	return quoted(p, n) || (n >= 2 && p[0] == 'W' && p[1] == '/' && quoted(p + 2, n - 2));
}

/* .{101} (Server): 101 characters anywhere, that is at least 101 bytes. */
static bool m_over_100(const char *p, size_t n)
{
	(void)p;
	return n >= 101;
}

/* ^0[0-9] (Content-Length with leading zeros) */
static bool m_leading_zero(const char *p, size_t n)
{
	return n >= 2 && p[0] == '0' && is_digit(p[1]);
}

/* ^0+$ */
static bool m_zeros(const char *p, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (p[i] != '0')
			return false;
	return true;
}

/* ^[ \t]*[0-9]{13,}[ \t]*$ (a Content-Length of a terabyte or more) */
static bool m_13_digits(const char *p, size_t n)
{
	size_t i = 0;
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	size_t d = i;
	while (i < n && is_digit(p[i]))
		i++;
	if (i - d < 13)
		return false;
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	return i == n;
}

#define FIXDATE                                                                                      \
	"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) " \
	"[0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT"

/* The patterns as regcomp gets them (after YAML's unescaping), all without REG_ICASE. */
static const struct {
	const char *pat;
	fastre_fn fn;
} known[] = {
	{ "^" FIXDATE "$", m_fixdate },
	{ "^([0-9]+|" FIXDATE ")$", m_delay_or_date },
	{ "^[0-9]+$", m_digits },
	{ "^(W\\/)?\"[^\"]*\"$", m_entity_tag },
	{ ".{101}", m_over_100 },
	{ "^0[0-9]", m_leading_zero },
	{ "^0+$", m_zeros },
	{ "^[ \t]*[0-9]{13,}[ \t]*$", m_13_digits },
};

fastre_fn fastre_find(const char *pat, bool icase)
{
	if (icase)
		return NULL;
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (strcmp(pat, known[i].pat) == 0)
			return known[i].fn;
	return NULL;
}

const char *fastre_pattern(size_t i)
{
	return i < sizeof known / sizeof known[0] ? known[i].pat : NULL;
}
