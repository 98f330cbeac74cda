/* conn.c: one TCP connection: reassembled directions, their parsers, and request/response pairing. */
#include "conn.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "endpoint.h"
#include "engine.h"
#include "llhttp.h"
#include "parallel.h"
#include "rule.h"
#include "sequencer.h"

static const struct hx_events conn_hx_events;
static void sink_data(void *ctx, const uint8_t *p, size_t n, const struct pkt_meta *m);
static void sink_gap(void *ctx, uint64_t n);
static void sink_fin(void *ctx);

struct conn *conn_new(struct engine *e, const struct flow_key *k, uint64_t id)
{
	struct conn *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->ep = calloc(1, sizeof *c->ep);
	if (!c->ep) {
		free(c);
		return NULL;
	}
	c->ep->refs = 1;
	c->fe.key = *k;
	c->id = id;
	c->eng = e;
	c->client = SIDE_UNKNOWN;
	for (int s = 0; s < 2; s++) {
		c->cs[s] = (struct conn_side){ c, s };
		reasm_init(&c->rd[s], e->lim.max_ooo_bytes, e->lim.overlap_window, &e->budget);
		hunt_init(&c->orient[s], HUNT_EITHER, false);
	}
	if (e->shard)
		par_conn_open(e, c); /* numbered and ordered by the merge */
	else /* live, transactions are written as they finish, not in connection order */
		c->sc = e->live ? NULL : seq_open(&e->seq);
	e->st.connections++;
	return c;
}

static int side_of(const struct conn *c, const struct hx_dir *d)
{
	return d == &c->hx[0] ? 0 : 1;
}

/* The client is known: name the endpoints and set up both parsers. */
static void set_client(struct conn *c, int client)
{
	if (c->client != SIDE_UNKNOWN)
		return;
	c->client = (uint8_t)client;
	/* Written here, once, rather than for each transaction. */
	endpoints_fill(c->ep, &c->fe.key, client);
	for (int s = 0; s < 2; s++) {
		hx_init(&c->hx[s], s != client, c->eng->lim.max_header_bytes, c->eng->lim.max_headers,
			&conn_hx_events, c);
		hx_set_keep_budget(&c->hx[s], &c->eng->keep);
		/* A request's transaction is allocated with its head. */
		c->hx[s].req_head_room = TXN_ROOM;
	}
	c->hx_ready = true;
}

static void mark_http(struct conn *c)
{
	if (!c->http) {
		c->http = true;
		c->eng->st.http_connections++;
	}
}

/*
 * No one needs c's bytes from now on (a connection that is not HTTP, a
 * tunnel): they are passed over, neither kept nor compared, and under -j
 * not even handed to the shard.
 */
static void pass_over(struct conn *c)
{
	if (conn_passed_over(c))
		return;
	for (int s = 0; s < 2; s++)
		reasm_blind(&c->rd[s]);
	if (c->eng->shard)
		par_conn_blind(c->eng, c);
}

static void mark_not_http(struct conn *c)
{
	if (!c->not_http && !c->http) {
		c->not_http = true;
		c->eng->st.non_http_connections++;
		pass_over(c);
	}
}

/* Judges t and hands it to the output, in order. */
static void finalize(struct conn *c, struct txn *t)
{
	struct engine *e = c->eng;
	if (t == c->req_txn)
		c->req_txn = NULL;
	if (t == c->resp_txn)
		c->resp_txn = NULL;
	if (t == c->check_txn)
		c->check_txn = NULL;
	t->file = e->file;
	t->conn_id = c->id;
	t->index = c->ntxn++;
	t->ep = c->ep;
	c->ep->refs++;
	/* Retransmitted bytes that differed: told once, on the next transaction. */
	for (int s = 0; s < 2; s++) {
		uint64_t n = c->rd[s].overlap_mismatch - c->overlap_told[s];
		if (n) {
			c->overlap_told[s] = c->rd[s].overlap_mismatch;
			rule_raise(t, RULE_TCP_OVERLAP_MISMATCH, rule_table[RULE_TCP_OVERLAP_MISMATCH].sev,
				   "%llu retransmitted byte%s from the %s differed from the first copy, which was kept",
				   (unsigned long long)n, n == 1 ? "" : "s", s == c->client ? "client" : "server");
		}
	}
	if (t->resp)
		stats_count_status(&e->st, t->resp->status);
	if (t->flags & (TXN_REQ_CUT | TXN_RESP_CUT))
		e->st.txn_incomplete++;
	/* A worker (-j) leaves the history to the merge, which puts its
	 * findings here, before those of the rules. */
	if (e->shard)
		t->hist_at = t->nfindings;
	else if (t->req && t->resp)
		hist_observe(&e->history, c->ep->client_ip, t);
	rules_evaluate(t);
	if (t->nfindings && e->evidence)
		ev_flag(e->evidence, &c->ev);
	/* Kept content is for the rules only: freed, and its room given back. */
	if (t->kept) {
		e->keep.used -= t->kept_cap;
		free(t->kept);
		t->kept = NULL;
	}
	if (e->shard)
		par_txn(e, c, t);
	else
		seq_push(&e->seq, c->sc, t);
}

static struct txn *pend_pop(struct conn *c)
{
	struct txn *t = c->pend_head;
	if (!t)
		return NULL;
	c->pend_head = t->next;
	if (!c->pend_head)
		c->pend_tail = NULL;
	t->next = NULL;
	c->npend--;
	return t;
}

/* Requests waiting for a response before excessive-pipelining says so. */
#define WL_PIPELINING_MANY 16

static void pend_push(struct conn *c, struct txn *t)
{
	if (c->npend >= c->eng->lim.max_pending_requests) {
		/* The cap: the oldest waiting request is written unanswered,
		 * and from here a response cannot be told unsolicited. */
		c->eng->st.pending_cap_reached++;
		c->pairing_lost = true;
		struct txn *old = pend_pop(c);
		c->eng->st.requests_unanswered++;
		finalize(c, old);
	}
	t->next = NULL;
	if (c->pend_tail)
		c->pend_tail->next = t;
	else
		c->pend_head = t;
	/* Many requests sent ahead of their responses: one lost response
	 * strands them all, and servers cap the queue (RFC 9112 §9.3.2).
	 * Not when the server's side has a hole, holds bytes beyond one, has
	 * bytes the client acknowledged and the capture did not show, or
	 * stopped parsing: its responses may be there, unread. */
	int srv = c->client == SIDE_UNKNOWN ? -1 : !c->client;
	bool responses_read = srv >= 0 && !c->rd[srv].gaps && !c->rd[srv].ooo_bytes &&
			      !reasm_acked_unseen(&c->rd[srv]) && c->hx[srv].state != HX_DEAD && !c->pairing_lost;
	if (c->npend + 1 > WL_PIPELINING_MANY && responses_read && !c->pipelining_told) {
		c->pipelining_told = true;
		rule_raise(t, RULE_EXCESSIVE_PIPELINING, rule_table[RULE_EXCESSIVE_PIPELINING].sev,
			   "%u requests waiting for their responses on this connection", c->npend + 1);
	}
	c->pend_tail = t;
	c->npend++;
}

/* --- events from the parsers --- */

static void ev_begin(void *ctx, struct hx_dir *d)
{
	struct conn *c = ctx;
	int s = side_of(c, d);
	c->msg_meta[s] = c->cur;
	mark_http(c);
	/* A status line follows the bodiless response: it had no content. */
	if (d->is_response && c->check_txn)
		finalize(c, c->check_txn);
}

static int framing(const struct txn *t, int status)
{
	if (status == 101)
		return HX_FRAME_TUNNEL;
	if (t->req && t->req->method == HTTP_CONNECT && status >= 200 && status < 300)
		return HX_FRAME_TUNNEL;
	/* RFC 9112 §6.3 rule 1. */
	if ((status >= 100 && status < 200) || status == 204 || status == 304 || txn_is_head(t))
		return HX_FRAME_BODILESS;
	return HX_FRAME_NORMAL;
}

/*
 * The first response after a hole in the server's stream that began
 * between responses (sink_gap): the response to the request at the
 * front began in the hole if the client sent the next request after it
 * had received bytes of the hole (that request's acknowledgment is past
 * where the hole began), for the front request's response is the first
 * thing the server sent there.  Such requests are written unanswered, so
 * that the responses after the hole are paired with their own requests
 * rather than each with the one before.  A client that sent its requests
 * before any of the hole came (pipelining) gives no such sign, and its
 * requests are paired in order as before.
 */
static void answered_in_hole(struct conn *c)
{
	struct engine *e = c->eng;
	c->resp_gap = false;
	while (c->pend_head && c->pend_head->next && (c->pend_head->next->flags & TXN_REQ_ACK) &&
	       seq_diff(c->pend_head->next->req_ack, c->resp_gap_at) > 0) {
		struct txn *t = pend_pop(c);
		e->st.requests_unanswered++;
		e->st.responses_in_holes++;
		finalize(c, t);
	}
}

/*
 * Whether the response that begins in the segment m cannot answer the
 * request at the front: the segment acknowledges none of that request's
 * bytes, so the server had not received it.  Asked only when the client's
 * direction has lost bytes (a hole, or bytes acknowledged and not seen),
 * where the response may answer a request the capture lost: pipelined
 * requests after it would otherwise each be paired with the response
 * before their own.
 */
static bool server_had_none_of_front(const struct conn *c, const struct pkt_meta *m)
{
	const struct txn *f = c->pend_head;
	int cl = c->client;
	if (!f || !(f->flags & TXN_REQ_ACK) || !m->has_ack || cl == SIDE_UNKNOWN)
		return false;
	if (!c->rd[cl].gaps && !reasm_acked_unseen(&c->rd[cl]))
		return false;
	return seq_diff(m->ack, f->req_seq) <= 0;
}

static int ev_head(void *ctx, struct hx_dir *d, struct http_head *h)
{
	struct conn *c = ctx;
	struct engine *e = c->eng;
	int s = side_of(c, d);
	if (h && h->truncated) {
		e->st.head_truncated++;
		e->st.headers_dropped += h->dropped_fields;
	}
	if (!d->is_response) {
		struct txn *t = h && h->block && !h->room_used ? txn_new_for(h) : txn_new();
		if (!t) {
			head_unref(h);
			return 0;
		}
		t->req = h;
		t->req_ts = c->msg_meta[s].ts;
		t->req_frame = c->msg_meta[s].frame;
		t->req_rec_off = c->msg_meta[s].rec_off;
		t->req_rec_len = c->msg_meta[s].rec_len;
		if (c->msg_meta[s].has_ack) {
			t->req_seq = c->msg_meta[s].seq;
			t->req_ack = c->msg_meta[s].ack;
			t->flags |= TXN_REQ_ACK;
		}
		/* The history's key for its URL, now: its slot is asked for
		 * while the response is on its way (under -j, by the merge).
		 * Once the history holds clients (under -j, the merge's), the
		 * client's key too, from the same URL: every transaction then
		 * looks its client's entry up. */
		if (e->shard ? par_clients(e) : e->history.clients_made != 0) {
			t->url_key = hist_url_key(t, c->ep->client_ip, &t->client_key);
			t->flags |= t->url_key ? TXN_URL_KEY | TXN_CLIENT_KEY : TXN_URL_KEY;
		} else {
			/* Worked out once a head: requests alike share one (hb_freeze_alike). */
			if (h && !h->has_url_key) {
				h->url_key = hist_url_key(t, NULL, NULL);
				h->has_url_key = true;
			}
			t->url_key = h ? h->url_key : hist_url_key(t, NULL, NULL);
			t->flags |= TXN_URL_KEY;
		}
		if (!e->shard)
			hist_prefetch(&e->history, t->url_key, t->flags & TXN_CLIENT_KEY ? t->client_key : 0);
		c->req_txn = t;
		pend_push(c, t);
		return 0;
	}
	int status = h ? h->status : 0;
	struct txn *t;
	if (c->resp_gap)
		answered_in_hole(c);
	struct txn *front = server_had_none_of_front(c, &c->msg_meta[s]) ? NULL : c->pend_head;
	if (status >= 100 && status < 200 && status != 101) {
		/* An interim response: it answers the request at the front,
		 * which still waits for its final response. */
		t = txn_new();
		if (t && front) {
			t->req = head_ref(front->req);
			t->req_ts = front->req_ts;
			t->req_frame = front->req_frame;
			t->req_rec_off = front->req_rec_off;
			t->req_rec_len = front->req_rec_len;
		}
		if (t)
			t->flags |= TXN_INTERIM;
		/* RFC 9110 §15.2.1: one 100 Continue tells the client to go on;
		 * a second one for the same request says nothing. */
		if (t && status == 100 && front) {
			if (front->flags & TXN_SAW_100)
				rule_raise(t, RULE_DUPLICATE_100_CONTINUE, rule_table[RULE_DUPLICATE_100_CONTINUE].sev,
					   "a second 100 Continue for the same request");
			front->flags |= TXN_SAW_100;
		}
	} else {
		t = front ? pend_pop(c) : NULL;
		if (!t) {
			t = txn_new();
			e->st.responses_unpaired++;
			/* With the connection's start captured and every request
			 * read, a response nobody asked for is the server's
			 * (RFC 9112 §9.3.2); a 408 may be sent on an idle
			 * connection (RFC 9110 §15.5.9). */
			int cl = c->client;
			if (t && c->syn_seen && status != 408 && c->hx[cl].state != HX_DEAD && !c->rd[cl].gaps &&
			    !reasm_acked_unseen(&c->rd[cl]) && !c->pairing_lost)
				rule_raise(t, RULE_RESPONSE_WITHOUT_REQUEST, rule_table[RULE_RESPONSE_WITHOUT_REQUEST].sev,
					   "%d response sent with no request waiting for it", status);
		}
	}
	if (!t) {
		head_unref(h);
		return HX_FRAME_NORMAL;
	}
	/* RFC 9112 §9.6: after a response that says the connection closes,
	 * nothing more may come on it. */
	if (c->said_close && !(t->flags & TXN_INTERIM))
		rule_raise(t, RULE_DATA_AFTER_CLOSE, rule_table[RULE_DATA_AFTER_CLOSE].sev,
			   "a response after one that said the connection closes (Connection: close or HTTP/1.0)");
	/* Responses on one connection in different versions: a server (or
	 * a proxy in front of several) that does not know which it speaks. */
	if (h && !(t->flags & TXN_INTERIM) && h->major < 10) {
		uint8_t v = (uint8_t)(h->major * 10 + h->minor);
		if (!c->resp_version) {
			c->resp_version = v;
		} else if (v != c->resp_version && !c->version_told) {
			c->version_told = true;
			rule_raise(t, RULE_HTTP_VERSION_CHANGED, rule_table[RULE_HTTP_VERSION_CHANGED].sev,
				   "HTTP/%u.%u response after HTTP/%u.%u ones on the same connection", h->major, h->minor,
				   c->resp_version / 10, c->resp_version % 10);
		}
	}
	/* The history's entry for the URL, asked for while the content is read. */
	if (!e->shard && (t->flags & TXN_URL_KEY))
		hist_prefetch_entry(&e->history, t->url_key);
	t->resp = h;
	t->resp_ts = c->msg_meta[s].ts;
	t->resp_frame = c->msg_meta[s].frame;
	t->resp_rec_off = c->msg_meta[s].rec_off;
	t->resp_rec_len = c->msg_meta[s].rec_len;
	c->resp_txn = t;
	/* Redirects are followed in the order the responses come, as the
	 * client saw them (the transaction itself is judged later). */
	if (t->req && h && !(t->flags & TXN_INTERIM)) {
		if (e->shard) {
			t->redir_at = t->nfindings; /* where the merge puts what it finds */
			par_redirect(e, c, t);
		} else {
			redir_follow(&e->redirects, c->ep->client_ip, t);
		}
	}
	int f = framing(t, status);
	if (f == HX_FRAME_BODILESS)
		t->flags |= TXN_BODILESS;
	if (f == HX_FRAME_TUNNEL)
		t->flags |= TXN_TUNNEL;
	return f;
}

static void ev_done(void *ctx, struct hx_dir *d)
{
	struct conn *c = ctx;
	if (!d->is_response) {
		if (c->req_txn) {
			c->req_txn->req_body = d->body_len;
			c->req_txn->req_end_ts = c->cur.ts;
			c->req_txn = NULL;
		}
		return;
	}
	struct txn *t = c->resp_txn;
	if (!t)
		return;
	c->resp_txn = NULL;
	t->resp_body = d->body_len;
	t->resp_end_ts = c->cur.ts;
	t->flags |= TXN_RESP_DONE;
	if (d->chunk_ext)
		t->flags |= TXN_CHUNK_EXT;
	t->trailers = hx_take_trailers(d);
	t->kept = hx_take_kept(d, &t->kept_len, &t->kept_cap);
	memcpy(t->first, d->first, d->nfirst);
	t->nfirst = d->nfirst;
	if (!(t->flags & (TXN_INTERIM | TXN_TUNNEL)) && !llhttp_should_keep_alive(&d->parser) &&
	    !llhttp_message_needs_eof(&d->parser))
		c->said_close = true;
	if (t->flags & TXN_TUNNEL) {
		/* The connection is another protocol from here on. */
		c->tunnel = true;
		c->eng->st.tunnels++;
		for (int s = 0; s < 2; s++)
			hx_set_tunnel(&c->hx[s]);
		/* A 101 waits for the server's first bytes in the new protocol
		 * (upgrade-failed); a 2xx to CONNECT opens any protocol. */
		if (t->resp && t->resp->status == 101) {
			c->check_txn = t;
		} else {
			finalize(c, t);
			pass_over(c);
		}
	} else {
		/* Judged once the bytes after it show whether it carried more
		 * than its framing said (content on a bodiless response, or
		 * beyond Content-Length). */
		c->check_txn = t;
	}
}

/* Where the message under way on d began, or, before it began, the segment being read. */
static const struct pkt_meta *msg_start(const struct conn *c, const struct hx_dir *d)
{
	return d->in_message ? &c->msg_meta[side_of(c, d)] : &c->cur;
}

/* The response under way, or the request at the front with what the parser holds. */
static struct txn *response_in_progress(struct conn *c, struct hx_dir *d)
{
	if (c->resp_txn)
		return c->resp_txn;
	struct txn *t = pend_pop(c);
	if (!t) {
		t = txn_new();
		if (t)
			c->eng->st.responses_unpaired++;
	}
	if (!t)
		return NULL;
	t->resp = hx_partial_head(d);
	t->resp_ts = msg_start(c, d)->ts;
	t->resp_frame = msg_start(c, d)->frame;
	t->resp_rec_off = msg_start(c, d)->rec_off;
	t->resp_rec_len = msg_start(c, d)->rec_len;
	t->flags |= TXN_RESP_PARTIAL;
	return t;
}

static void ev_cut(void *ctx, struct hx_dir *d)
{
	struct conn *c = ctx;
	if (!d->is_response) {
		if (c->req_txn) {
			c->req_txn->flags |= TXN_REQ_CUT;
			c->req_txn->req_body = d->body_len;
			c->req_txn = NULL;
		}
		return;
	}
	struct txn *t = response_in_progress(c, d);
	if (!t)
		return;
	t->flags |= TXN_RESP_CUT | (d->closed_short ? TXN_CLOSED_SHORT : 0);
	t->resp_body = d->body_len;
	finalize(c, t);
}

/*
 * The rule a response parse error breaks, by llhttp's error (the catalogue's
 * mapping, ../shared/rule-catalogue.md §7); malformed-response for the rest.
 * The framing is lost all the same, so the direction stops either way.
 */
static enum rule_id parse_error_rule(llhttp_errno_t en, const char *reason)
{
	switch (en) {
	case HPE_INVALID_CONTENT_LENGTH:
		return RULE_INVALID_CONTENT_LENGTH;
	case HPE_UNEXPECTED_CONTENT_LENGTH:
		return strstr(reason, "Duplicate") ? RULE_INVALID_CONTENT_LENGTH : RULE_MALFORMED_RESPONSE;
	case HPE_INVALID_VERSION:
		return RULE_HTTP_VERSION_INVALID;
	case HPE_INVALID_CONSTANT:
		return RULE_STATUS_LINE_MALFORMED;
	case HPE_INVALID_CHUNK_SIZE:
		return RULE_CHUNK_SIZE_INVALID;
	case HPE_UNEXPECTED_SPACE:
		return RULE_WHITESPACE_AFTER_START_LINE;
	case HPE_INVALID_HEADER_TOKEN:
		return strstr(reason, "value char") ? RULE_FIELD_VALUE_CTL : RULE_MALFORMED_RESPONSE;
	case HPE_INVALID_TRANSFER_ENCODING:
		return RULE_TE_INVALID;
	default:
		return RULE_MALFORMED_RESPONSE;
	}
}

/* A response that stops parsing: reported under rule r on the response under way. */
static void response_error(struct conn *c, struct hx_dir *d, enum rule_id r, const char *reason)
{
	struct txn *t = response_in_progress(c, d);
	if (!t)
		return;
	t->flags |= TXN_RESP_MALFORMED;
	t->resp_body = d->body_len;
	rule_raise(t, r, rule_table[r].sev, "%s: %s; the rest of this direction is skipped",
		   r == RULE_INVALID_CONTENT_LENGTH ? "Content-Length does not frame the response" : "response does not parse",
		   reason);
	finalize(c, t);
}

static void ev_error(void *ctx, struct hx_dir *d, const char *reason)
{
	struct conn *c = ctx;
	struct engine *e = c->eng;
	e->st.parse_errors++;
	if (!d->is_response) {
		struct txn *t = c->req_txn;
		if (!t) {
			/* The request line or its fields do not parse: keep what
			 * there is, queued, so the response (often a 400) pairs. */
			t = txn_new();
			if (!t)
				return;
			t->req = hx_partial_head(d);
			t->req_ts = msg_start(c, d)->ts;
			t->req_frame = msg_start(c, d)->frame;
			t->req_rec_off = msg_start(c, d)->rec_off;
			t->req_rec_len = msg_start(c, d)->rec_len;
			pend_push(c, t);
		}
		t->flags |= TXN_REQ_MALFORMED;
		rule_raise(t, RULE_MALFORMED_REQUEST, rule_table[RULE_MALFORMED_REQUEST].sev,
			   "request does not parse: %s; the rest of this direction is skipped", reason);
		c->req_txn = NULL;
		return;
	}
	response_error(c, d, parse_error_rule(llhttp_get_errno(&d->parser), reason), reason);
}

static void ev_stray(void *ctx, struct hx_dir *d)
{
	struct conn *c = ctx;
	if (c->check_txn) {
		c->check_txn->flags |= TXN_STRAY_CONTENT;
		finalize(c, c->check_txn);
	} else {
		/* Nothing to pin them on (the response before was cut): the
		 * bytes are counted as skipped, as after a hole. */
	}
}

static void ev_skipped(void *ctx, struct hx_dir *d, uint64_t n)
{
	struct conn *c = ctx;
	c->eng->st.bytes_skipped += n;
}

static bool ev_no_start(void *ctx, struct hx_dir *d)
{
	struct conn *c = ctx;
	/* A server that answers a request with anything but a status line
	 * (an HTTP/0.9-style reply, a banner) sent a malformed response. */
	if (d->is_response && c->http) {
		c->eng->st.parse_errors++;
		response_error(c, d, RULE_STATUS_LINE_MALFORMED, "no status line where the response should start");
		return true;
	}
	mark_not_http(c);
	return false;
}

static void ev_tunnel(void *ctx, struct hx_dir *d, const uint8_t *p, size_t n)
{
	struct conn *c = ctx;
	struct txn *t = c->check_txn;
	(void)d;
	if (t && (t->flags & TXN_TUNNEL)) {
		t->nfirst = (uint8_t)(n < sizeof t->first ? n : sizeof t->first);
		memcpy(t->first, p, t->nfirst);
		t->flags |= TXN_TUNNEL_SEEN;
		finalize(c, t);
	}
	/* The server's first bytes in the new protocol were all a tunnel's
	 * bytes were needed for. */
	if (c->tunnel)
		pass_over(c);
}

static const struct hx_events conn_hx_events = {
	.tunnel = ev_tunnel,
	.no_start = ev_no_start,
	.begin = ev_begin,
	.head = ev_head,
	.done = ev_done,
	.cut = ev_cut,
	.error = ev_error,
	.stray = ev_stray,
	.skipped = ev_skipped,
};

/* --- reassembled bytes --- */

/* Before the client is known (no SYN seen): look for the first message in either direction. */
static void orient(struct conn *c, int s, const uint8_t *p, size_t n)
{
	struct hunt_match m;
	int r = hunt_scan(&c->orient[s], p, n, &m);
	if (r != 1) {
		if (c->orient[s].consumed > c->eng->lim.max_hunt_bytes) {
			c->eng->st.bytes_skipped += c->orient[s].consumed;
			mark_not_http(c);
		}
		return;
	}
	/* What either direction passed over before this start was skipped. */
	c->eng->st.bytes_skipped += m.skipped + c->orient[!s].consumed;
	set_client(c, m.kind == HUNT_REQUEST ? s : !s);
	/* The capture began mid-connection: the other direction is picked
	 * up at its first message start too. */
	hx_hunt(&c->hx[!s], 0);
	hx_hunt(&c->hx[s], 0);
	hx_feed(&c->hx[s], (const uint8_t *)m.prefix, m.prefix_len);
	hx_feed(&c->hx[s], p + m.end, n - m.end);
}

static void sink_data(void *ctx, const uint8_t *p, size_t n, const struct pkt_meta *m)
{
	struct conn_side *cs = ctx;
	struct conn *c = cs->c;
	if (c->not_http)
		return;
	c->cur = *m;
	if (!c->hx_ready) {
		orient(c, cs->side, p, n);
		return;
	}
	hx_feed(&c->hx[cs->side], p, n);
}

static void sink_gap(void *ctx, uint64_t n)
{
	struct conn_side *cs = ctx;
	struct conn *c = cs->c;
	if (!c->hx_ready) {
		/* A hole before the first message: start the search afresh. */
		hunt_init(&c->orient[cs->side], HUNT_EITHER, false);
		return;
	}
	struct hx_dir *d = &c->hx[cs->side];
	if (d->is_response && c->check_txn)
		finalize(c, c->check_txn);
	/* At a boundary between responses (not while hunting for one,
	 * whose start is unknown): where the hole began, for
	 * answered_in_hole. */
	bool between = d->state == HX_START || d->state == HX_CHECK_NEXT || (d->state == HX_PARSE && !d->in_message);
	if (d->is_response && between && !c->resp_gap) {
		c->resp_gap = true;
		c->resp_gap_at = c->rd[cs->side].next_seq - (uint32_t)n;
	}
	hx_gap(d);
}

static void sink_fin(void *ctx)
{
	struct conn_side *cs = ctx;
	struct conn *c = cs->c;
	if (c->hx_ready)
		hx_close(&c->hx[cs->side]);
}

static const struct reasm_sink *sink_for(struct conn *c, int s, struct reasm_sink *buf)
{
	buf->data = sink_data;
	buf->gap = sink_gap;
	buf->fin = sink_fin;
	buf->ctx = &c->cs[s];
	return buf;
}

void conn_segment(struct conn *c, int side, const struct dec_pkt *p, const struct pkt_meta *m)
{
	struct reasm_sink sk;
	/* What this segment acknowledges of the other direction first: a
	 * hole there that the receiver has the bytes of will not fill. */
	struct reasm_dir *other = &c->rd[!side];
	if ((p->flags & TCP_ACK) && reasm_ack_ahead(other, p->ack))
		reasm_ack(other, p->ack, sink_for(c, !side, &sk));
	sink_for(c, side, &sk);
	if (p->flags & TCP_SYN) {
		c->syn_seen = true;
		reasm_syn(&c->rd[side], p->seq);
		/* SYN alone comes from the client, SYN-ACK from the server. */
		if (c->client == SIDE_UNKNOWN)
			set_client(c, p->flags & TCP_ACK ? !side : side);
		/* Data on a SYN (TCP Fast Open) follows the ISN. */
		if (p->wire_plen)
			reasm_segment(&c->rd[side], p->seq + 1, p->payload, p->plen, p->wire_plen,
				      (p->flags & TCP_FIN) != 0, m, &sk);
		return;
	}
	if (p->wire_plen || (p->flags & TCP_FIN))
		reasm_segment(&c->rd[side], p->seq, p->payload, p->plen, p->wire_plen, (p->flags & TCP_FIN) != 0, m,
			      &sk);
	if (p->flags & TCP_RST) {
		c->rst_seen = true;
		c->rd[0].fin_done = c->rd[1].fin_done = true;
	}
}

bool conn_finished(const struct conn *c)
{
	return c->rd[0].fin_done && c->rd[1].fin_done;
}

void conn_close(struct conn *c)
{
	struct engine *e = c->eng;
	for (int s = 0; s < 2; s++) {
		struct reasm_sink sk;
		reasm_flush(&c->rd[s], sink_for(c, s, &sk));
	}
	if (c->hx_ready) {
		for (int s = 0; s < 2; s++)
			hx_abort(&c->hx[s]);
		if (c->check_txn)
			finalize(c, c->check_txn);
		if (c->resp_txn) {
			c->resp_txn->flags |= TXN_RESP_CUT;
			finalize(c, c->resp_txn);
		}
	}
	/* Requests still waiting when the server closed (FIN, not RST, not the
	 * end of the capture) were dropped by the server. */
	bool server_closed = c->hx_ready && c->rd[!c->client].fin_seen && !c->rst_seen &&
			     c->hx[!c->client].state != HX_DEAD && !c->rd[!c->client].gaps &&
			     !c->said_close; /* after Connection: close, leaving requests unanswered is right */
	struct txn *t;
	while ((t = pend_pop(c))) {
		e->st.requests_unanswered++;
		if (server_closed && !(t->flags & TXN_REQ_MALFORMED))
			rule_raise(t, RULE_REQUEST_WITHOUT_RESPONSE, rule_table[RULE_REQUEST_WITHOUT_RESPONSE].sev,
				   "the server closed the connection without answering this request");
		finalize(c, t);
	}
	for (int s = 0; s < 2; s++) {
		e->st.gaps += c->rd[s].gaps;
		e->st.gap_bytes += c->rd[s].gap_bytes;
		e->st.gaps_acked += c->rd[s].gaps_acked;
		e->st.ooo_cap_reached += c->rd[s].cap_hits;
		e->st.overlap_mismatch += c->rd[s].overlap_mismatch;
		e->st.overlap_unchecked += c->rd[s].overlap_unchecked;
		if (c->hx_ready && c->hx[s].state == HX_DEAD)
			e->st.bytes_after_error += c->hx[s].ignored;
		if (c->hx_ready && c->hx[s].state == HX_TUNNEL)
			e->st.tunnel_bytes += c->hx[s].ignored;
		reasm_free(&c->rd[s]);
		if (c->hx_ready)
			hx_free(&c->hx[s]);
	}
	if (e->shard)
		par_conn_close(e, c);
	else
		seq_close(&e->seq, c->sc);
	if (e->evidence)
		ev_discard(e->evidence, &c->ev);
	if (--c->ep->refs == 0)
		free(c->ep);
	free(c);
}

void conn_settle(struct conn *c)
{
	if (c->check_txn)
		finalize(c, c->check_txn);
}

/* The cache line's size conn_prefetch steps by (the x86-64 and arm64 machines' own). */
#define CONN_LINE 64

/* Asks for the lines of [p, p + n) to be written soon. */
static inline void prefetch_lines(const void *p, size_t n)
{
	for (size_t o = 0; o < n; o += CONN_LINE)
		__builtin_prefetch((const char *)p + o, 1);
}

/*
 * Reads only a slot and prefetches, so, like hist_prefetch, kept out of
 * link-time optimisation's analysis, which could take it for a function
 * without effect and drop its calls (tests/prefetch_calls.py).
 */
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((noipa))
#endif
void conn_prefetch(const struct flow_table *t, uint32_t hash, int side)
{
	const struct conn *c = (const struct conn *)flow_peek(t, hash);
	if (!c)
		return;
	/* The entry and the fields a segment reads first (up to rd), the
	 * side's reassembly and parser, and where its message began; the
	 * rest (the hunt before the client is known among them) is left. */
	prefetch_lines(c, offsetof(struct conn, rd));
	prefetch_lines(&c->rd[side], sizeof c->rd[side]);
	prefetch_lines(&c->hx[side], sizeof c->hx[side]);
	__builtin_prefetch(&c->msg_meta[side], 1);
}
