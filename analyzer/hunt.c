/* hunt.c: finding where an HTTP message starts in a byte stream. */
#include "hunt.h"

#include <string.h>

#include "llhttp.h"

static const char status_magic[] = "HTTP/1.";
#define STATUS_MAGIC_LEN 7
#define METHOD_MAX 20

bool hunt_is_method(const char *tok, size_t len)
{
	static const char *const methods[] = {
#define HUNT_METHOD(num, name, string) #string,
		HTTP_METHOD_MAP(HUNT_METHOD)
#undef HUNT_METHOD
	};
	for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
		if (strlen(methods[i]) == len && memcmp(methods[i], tok, len) == 0)
			return true;
	return false;
}

void hunt_init(struct hunt *h, uint8_t kinds, bool strict)
{
	memset(h, 0, sizeof *h);
	h->kinds = kinds;
	h->strict = strict;
	h->at_line_start = true;
	h->req_alive = (kinds & HUNT_REQUEST) != 0;
	h->resp_alive = (kinds & HUNT_RESPONSE) != 0;
}

static inline bool is_method_char(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || c == '-';
}

int hunt_scan(struct hunt *h, const uint8_t *p, size_t n, struct hunt_match *m)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		h->consumed++;

		if (h->strict && !h->begun) {
			if (c == '\r' || c == '\n')
				continue;
			h->begun = true;
		}

		if (h->kinds & HUNT_RESPONSE) {
			if (c == (uint8_t)status_magic[h->resp_state]) {
				if (++h->resp_state == STATUS_MAGIC_LEN) {
					m->end = i + 1;
					m->kind = HUNT_RESPONSE;
					m->prefix = status_magic;
					m->prefix_len = STATUS_MAGIC_LEN;
					m->skipped = h->consumed - STATUS_MAGIC_LEN;
					return 1;
				}
			} else {
				h->resp_state = c == 'H' ? 1 : 0;
				h->resp_alive = false;
			}
		}

		if (h->kinds & HUNT_REQUEST) {
			if (h->in_token) {
				if (c == ' ' && hunt_is_method(h->tok, h->tok_len)) {
					h->tok[h->tok_len++] = ' ';
					m->end = i + 1;
					m->kind = HUNT_REQUEST;
					m->prefix = h->tok;
					m->prefix_len = h->tok_len;
					m->skipped = h->consumed - h->tok_len;
					return 1;
				}
				if (is_method_char(c) && h->tok_len < METHOD_MAX) {
					h->tok[h->tok_len++] = (char)c;
				} else {
					h->in_token = false;
					h->req_alive = false;
				}
			} else if (h->at_line_start && is_method_char(c)) {
				h->in_token = true;
				h->tok_len = 0;
				h->tok[h->tok_len++] = (char)c;
			} else {
				h->req_alive = false;
			}
			h->at_line_start = c == '\n';
		}

		if (h->strict && !h->req_alive && !h->resp_alive) {
			m->end = i;
			return -1;
		}
	}
	return 0;
}

size_t hunt_start_len(uint8_t kinds, const uint8_t *p, size_t n)
{
	if ((kinds & HUNT_RESPONSE) && n >= STATUS_MAGIC_LEN && memcmp(p, status_magic, STATUS_MAGIC_LEN) == 0)
		return STATUS_MAGIC_LEN;
	if (!(kinds & HUNT_REQUEST))
		return 0;
	size_t i = 0;
	while (i < n && i < METHOD_MAX && is_method_char(p[i]))
		i++;
	return i > 0 && i < n && p[i] == ' ' && hunt_is_method((const char *)p, i) ? i + 1 : 0;
}
