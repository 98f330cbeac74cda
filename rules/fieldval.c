/* fieldval.c: reading field values for the checks. */
#include "fieldval.h"

#include <string.h>
#include <strings.h>

#include "txn.h"

bool list_next(const char *p, uint32_t n, uint32_t *i, uint32_t *start, uint32_t *len)
{
	while (*i < n && (p[*i] == ' ' || p[*i] == '\t' || p[*i] == ','))
		(*i)++;
	if (*i >= n)
		return false;
	uint32_t s0 = *i;
	bool quoted = false;
	while (*i < n && (quoted || p[*i] != ',')) {
		if (p[*i] == '"')
			quoted = !quoted;
		else if (p[*i] == '\\' && quoted && *i + 1 < n)
			(*i)++;
		(*i)++;
	}
	uint32_t end = *i;
	while (end > s0 && (p[end - 1] == ' ' || p[end - 1] == '\t'))
		end--;
	*start = s0;
	*len = end - s0;
	return true;
}

bool list_has(const char *p, uint32_t n, const char *want, size_t wn, bool icase)
{
	uint32_t i = 0, st, l;
	while (list_next(p, n, &i, &st, &l))
		if (l == wn && (icase ? strncasecmp(p + st, want, wn) == 0 : memcmp(p + st, want, wn) == 0))
			return true;
	return false;
}

void fname_index_init(struct fname_index *x, const struct fname *names, size_t count)
{
	x->ready = false;
	x->bits = 0;
	if (count > FNAME_INDEX_MAX)
		return;
	for (size_t k = 0; k < count; k++) {
		x->hash[k] = head_name_hash(names[k].s, names[k].n);
		x->bits |= (uint64_t)1 << (x->hash[k] % 64);
	}
	x->ready = true;
}

int field_name_in(const struct http_head *h, const struct hfield *f, const struct fname *names, size_t count,
		  const struct fname_index *x)
{
	if (x && x->ready) {
		/* The same name has the same hash: only those are compared. */
		if (!(x->bits >> (f->hash % 64) & 1))
			return -1;
		for (size_t k = 0; k < count; k++)
			if (x->hash[k] == f->hash && head_field_named(h, f, names[k].s, names[k].n))
				return (int)k;
		return -1;
	}
	for (size_t k = 0; k < count; k++)
		if (head_field_named(h, f, names[k].s, names[k].n))
			return (int)k;
	return -1;
}

const struct hfield *field_first_in(const struct http_head *h, const struct fname *names, size_t count,
				    const struct fname_index *x, int *k)
{
	for (uint32_t i = 0; i < h->nfields; i++) {
		const struct hfield *f = &h->fields[i];
		*k = field_name_in(h, f, names, count, x);
		if (*k >= 0)
			return f;
	}
	return NULL;
}

bool field_each_n(const struct http_head *h, const char *name, size_t nl,
		  bool (*fn)(const char *p, uint32_t n, void *arg), void *arg)
{
	for (uint32_t i = 0; i < h->nfields; i++) {
		if (!head_field_named(h, &h->fields[i], name, nl))
			continue;
		const char *v = head_str(h, h->fields[i].value);
		uint32_t k = 0, st, l;
		while (list_next(v, h->fields[i].value.len, &k, &st, &l))
			if (!fn(v + st, l, arg))
				return false;
	}
	return true;
}

uint32_t element_name_len(const char *p, uint32_t n)
{
	uint32_t l = 0;
	while (l < n && p[l] != ';' && p[l] != ' ' && p[l] != '\t')
		l++;
	return l;
}

bool field_lists_n(const struct http_head *h, const char *name, size_t nl, const char *want, size_t wn, bool icase)
{
	for (uint32_t i = 0; i < h->nfields; i++) {
		const struct hfield *f = &h->fields[i];
		if (head_field_named(h, f, name, nl) && list_has(head_str(h, f->value), f->value.len, want, wn, icase))
			return true;
	}
	return false;
}

bool heads_whole(const struct txn *t)
{
	return t->resp && !t->resp->truncated && !(t->flags & TXN_RESP_PARTIAL) && (!t->req || !t->req->truncated);
}

bool method_of(const struct txn *t, char *m, size_t n)
{
	const struct http_head *q = t->req;
	uint32_t ml = q->method_s.len < n - 1 ? q->method_s.len : (uint32_t)(n - 1);
	memcpy(m, head_str(q, q->method_s), ml);
	m[ml] = 0;
	return ml > 0;
}

bool method_is_n(const struct txn *t, const char *m, size_t n)
{
	return t->req && t->req->method_s.len == n && memcmp(head_str(t->req, t->req->method_s), m, n) == 0;
}

const unsigned char wl_tchar[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 1, 0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
	0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

bool is_token(const char *p, size_t n)
{
	/* Names are short: every byte is looked at, without a branch for each. */
	const unsigned char *u = (const unsigned char *)p;
	unsigned ok = n > 0;
	size_t i = 0;
	for (; i + 4 <= n; i += 4)
		ok &= wl_tchar[u[i]] & wl_tchar[u[i + 1]] & wl_tchar[u[i + 2]] & wl_tchar[u[i + 3]];
	for (; i < n; i++)
		ok &= wl_tchar[u[i]];
	return ok;
}

static int digits(const char *p, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; m 1..12). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static bool parse_fixdate(const char *p, size_t n, time_t *out)
{
	/* "Sun, 06 Nov 1994 08:49:37 GMT": 29 bytes, fixed positions. */
	static const char days[] = "ThuFriSatSunMonTueWed"; /* 1970-01-01 was a Thursday */
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	if (n != 29 || p[3] != ',' || p[4] != ' ' || p[7] != ' ' || p[11] != ' ' || p[16] != ' ' || p[19] != ':' ||
	    p[22] != ':' || p[25] != ' ' || memcmp(p + 26, "GMT", 3) != 0)
		return false;
	int mon = -1;
	for (int i = 0; i < 12; i++)
		if (memcmp(p + 8, months + 3 * i, 3) == 0)
			mon = i + 1;
	int day = digits(p + 5, 2), year = digits(p + 12, 4), hh = digits(p + 17, 2), mm = digits(p + 20, 2),
	    ss = digits(p + 23, 2);
	if (mon < 0 || day < 1 || year < 0 || hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 60)
		return false;
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	if (day > mdays[mon - 1] || (mon == 2 && day == 29 && !leap))
		return false;
	int64_t dn = days_from_civil(year, mon, day);
	int wd = (int)(((dn % 7) + 7) % 7);
	if (memcmp(p, days + 3 * wd, 3) != 0)
		return false;
	*out = (time_t)(dn * 86400 + hh * 3600 + mm * 60 + ss);
	return true;
}

/*
 * The last two values parsed on this thread, and what they gave.  A
 * response's Date and Last-Modified are each read by several rules, and
 * come back unchanged from one response to the next (Date changes once a
 * second): the memo answers those with one comparison of 29 bytes.  Per
 * thread, so that workers share nothing; at first its bytes are NULs,
 * which no date is, and which it rightly says is not one.
 */
struct date_memo {
	char s[29];
	bool ok;
	time_t t;
};
static _Thread_local struct date_memo date_memo[2];
static _Thread_local unsigned date_memo_next;

bool imf_fixdate(const char *p, size_t n, time_t *out)
{
	if (n != 29)
		return false;
	struct date_memo *m = NULL;
	for (unsigned i = 0; i < 2 && !m; i++)
		if (memcmp(p, date_memo[i].s, 29) == 0) {
			m = &date_memo[i];
			date_memo_next = i ^ 1; /* the other one goes first */
		}
	if (!m) {
		m = &date_memo[date_memo_next];
		date_memo_next ^= 1;
		memcpy(m->s, p, 29);
		m->ok = parse_fixdate(p, n, &m->t);
	}
	if (m->ok)
		*out = m->t;
	return m->ok;
}

bool field_date(const struct http_head *h, const char *name, time_t *out)
{
	const struct hfield *f = head_field(h, name);
	return f && imf_fixdate(head_str(h, f->value), f->value.len, out);
}
