/* flow.c: the connection table (uthash) with its least-recently-active list. */
#include "flow.h"

#include <string.h>

int flow_key_make(struct flow_key *k, const struct dec_pkt *p)
{
	size_t alen = p->family == 4 ? 4 : 16;
	memset(k, 0, sizeof *k);
	k->family = p->family;
	int c = memcmp(p->src, p->dst, alen);
	int side = c < 0 || (c == 0 && p->sport <= p->dport) ? 0 : 1;
	memcpy(k->addr[side], p->src, alen);
	memcpy(k->addr[!side], p->dst, alen);
	k->port[side] = p->sport;
	k->port[!side] = p->dport;
	return side;
}

struct flow_entry *flow_find(struct flow_table *t, const struct flow_key *k)
{
	struct flow_entry *e = NULL;
	HASH_FIND(hh, t->hash, k, sizeof *k, e);
	return e;
}

void flow_insert(struct flow_table *t, struct flow_entry *e, int64_t now)
{
	HASH_ADD(hh, t->hash, key, sizeof e->key, e);
	e->last_sec = now;
	DL_APPEND2(t->lru_head, e, lru_prev, lru_next);
	t->count++;
}

void flow_remove(struct flow_table *t, struct flow_entry *e)
{
	HASH_DELETE(hh, t->hash, e);
	DL_DELETE2(t->lru_head, e, lru_prev, lru_next);
	t->count--;
}

void flow_touch(struct flow_table *t, struct flow_entry *e, int64_t now)
{
	if (now > e->last_sec)
		e->last_sec = now;
	if (t->lru_head->lru_prev != e) {
		DL_DELETE2(t->lru_head, e, lru_prev, lru_next);
		DL_APPEND2(t->lru_head, e, lru_prev, lru_next);
	}
}
