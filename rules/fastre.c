/* fastre.c: hand-written matchers for the hottest patterns of rules/builtin.yaml. */
#include "fastre.h"

#include <stdint.h>
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

/* Three bytes as one number, to compare a day or month name at once. */
#define K3(a, b, c) ((unsigned)(a) << 16 | (unsigned)(b) << 8 | (unsigned)(c))

static unsigned k3(const char *p)
{
	return K3((unsigned char)p[0], (unsigned char)p[1], (unsigned char)p[2]);
}

/* (Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} (Jan|...|Dec) [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT: 29 bytes. */
static bool fixdate(const char *p, size_t n)
{
	static const unsigned days[] = { K3('M', 'o', 'n'), K3('T', 'u', 'e'), K3('W', 'e', 'd'), K3('T', 'h', 'u'),
					 K3('F', 'r', 'i'), K3('S', 'a', 't'), K3('S', 'u', 'n') };
	static const unsigned months[] = { K3('J', 'a', 'n'), K3('F', 'e', 'b'), K3('M', 'a', 'r'), K3('A', 'p', 'r'),
					   K3('M', 'a', 'y'), K3('J', 'u', 'n'), K3('J', 'u', 'l'), K3('A', 'u', 'g'),
					   K3('S', 'e', 'p'), K3('O', 'c', 't'), K3('N', 'o', 'v'), K3('D', 'e', 'c') };
	if (n != 29)
		return false;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/*
	 * "ddd, 00 mmm 0000 00:00:00 GMT" as four words of eight bytes (at 0,
	 * 8, 16 and 21): the bytes that are written out (lit), and those that
	 * are digits, each 0x30-0x39: its high half 3, and its low half plus
	 * 6 below 0x10.  The names (0-2, 8-10) are checked apart.
	 */
	static const struct {
		uint8_t at;
		uint64_t lit_mask, lit, digit_mask;
	} words[4] = {
		{ 0, 0xff0000ffff000000u, 0x200000202c000000u, 0x00ffff0000000000u },
		{ 8, 0x00000000ff000000u, 0x0000000020000000u, 0xffffffff00000000u },
		{ 16, 0x00ff0000ff0000ffu, 0x003a00003a000020u, 0xff00ffff00ffff00u },
		{ 21, 0xffffffff0000ff00u, 0x544d472000003a00u, 0x00000000ffff00ffu },
	};
	uint64_t bad = 0;
	for (int i = 0; i < 4; i++) {
		uint64_t w;
		memcpy(&w, p + words[i].at, sizeof w);
		uint64_t dm = words[i].digit_mask;
		bad |= (w ^ words[i].lit) & words[i].lit_mask;
		bad |= (w ^ 0x3030303030303030u) & 0xf0f0f0f0f0f0f0f0u & dm;
		bad |= ((w & 0x0f0f0f0f0f0f0f0fu) + 0x0606060606060606u) & 0x1010101010101010u & dm;
	}
	if (bad)
		return false;
#else
	/* '0' where a digit goes; the names (0-2, 8-10) are checked apart. */
	static const char shape[] = "ddd, 00 mmm 0000 00:00:00 GMT";
	for (size_t i = 3; i < 29; i++) {
		if (i == 8)
			i = 11;
		if (shape[i] == '0' ? !is_digit(p[i]) : p[i] != shape[i])
			return false;
	}
#endif
	unsigned d = k3(p), m = k3(p + 8);
	bool day = false, month = false;
	for (size_t i = 0; i < sizeof days / sizeof days[0] && !day; i++)
		day = d == days[i];
	for (size_t i = 0; i < sizeof months / sizeof months[0] && !month; i++)
		month = m == months[i];
	return day && month;
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

/*
 * ^[]!#$%&'()*+,./0-9:;=?@A-Z[_a-z~-]+$: a Location of one or more bytes
 * a URI reference may hold (invalid-location).  The set as two words of
 * bits, for the bytes below 64 and those from 64 to 127: ! # to ; = ? and
 * @ to [ ] _ a to z ~.
 */
#define BITS(lo, hi) ((((uint64_t)1 << ((hi) - (lo))) * 2 - 1) << (lo)) /* bits lo..hi */
static const uint64_t uri_lo = BITS('!', '!') | BITS('#', ';') | BITS('=', '=') | BITS('?', '?');
static const uint64_t uri_hi = BITS('@' - 64, '[' - 64) | BITS(']' - 64, ']' - 64) | BITS('_' - 64, '_' - 64) |
			       BITS('a' - 64, 'z' - 64) | BITS('~' - 64, '~' - 64);

static bool m_uri_bytes(const char *p, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		uint64_t w = c < 64 ? uri_lo : c < 128 ? uri_hi : 0;
		if (!(w >> (c % 64) & 1))
			return false;
	}
	return true;
}

/* #: a 201's Location with a fragment (location-fragment-201). */
static bool m_hash(const char *p, size_t n)
{
	return memchr(p, '#', n) != NULL;
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
	{ "^[]!#$%&'()*+,./0-9:;=?@A-Z[_a-z~-]+$", m_uri_bytes },
	{ "#", m_hash },
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
