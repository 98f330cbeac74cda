/* baseline.c: findings already accepted, read and written as JSON (jansson). */
#include "baseline.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uthash.h"

struct bl_entry {
	char fp[17];
	UT_hash_handle hh;
	char *rule, *server, *method, *endpoint;
	int status;
	uint64_t count, used;
};

void bl_init(struct baseline *b, uint32_t max)
{
	memset(b, 0, sizeof *b);
	b->max = max;
}

void bl_free(struct baseline *b)
{
	struct bl_entry *e, *tmp;
	HASH_ITER(hh, b->hash, e, tmp)
	{
		HASH_DEL(b->hash, e);
		free(e->rule);
		free(e->server);
		free(e->method);
		free(e->endpoint);
		free(e);
	}
	b->count = 0;
}

static struct bl_entry *add_entry(struct baseline *b, const char *fp, const char *rule, const char *server,
				  const char *method, const char *endpoint, int status)
{
	struct bl_entry *e;
	HASH_FIND_STR(b->hash, fp, e);
	if (e)
		return e;
	if (b->count >= b->max) {
		b->dropped++;
		return NULL;
	}
	e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	snprintf(e->fp, sizeof e->fp, "%s", fp);
	e->rule = strdup(rule);
	e->server = strdup(server);
	e->method = strdup(method);
	e->endpoint = strdup(endpoint);
	e->status = status;
	if (!e->rule || !e->server || !e->method || !e->endpoint) {
		free(e->rule);
		free(e->server);
		free(e->method);
		free(e->endpoint);
		free(e);
		return NULL;
	}
	HASH_ADD_STR(b->hash, fp, e);
	b->count++;
	return e;
}

void bl_add(struct baseline *b, const struct fp_parts *p, const char *fp)
{
	struct bl_entry *e = add_entry(b, fp, p->rule, p->server, p->method, p->endpoint, p->status);
	if (e)
		e->count++;
}

bool bl_take(struct baseline *b, const char *fp)
{
	struct bl_entry *e;
	HASH_FIND_STR(b->hash, fp, e);
	if (!e || e->used >= e->count)
		return false;
	e->used++;
	return true;
}

uint64_t bl_unmatched(const struct baseline *b)
{
	uint64_t n = 0;
	for (const struct bl_entry *e = b->hash; e; e = e->hh.next)
		n += e->count - e->used;
	return n;
}

static const char *str_of(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

bool bl_load(struct baseline *b, const char *path, char *err, size_t errlen)
{
	json_error_t je;
	json_t *root = json_load_file(path, 0, &je);
	if (!root) {
		if (je.line < 0)
			snprintf(err, errlen, "%s: %s", path, je.text);
		else
			snprintf(err, errlen, "%s:%d:%d: %s", path, je.line, je.column, je.text);
		return false;
	}
	bool ok = false;
	json_t *version = json_object_get(root, "version"), *list = json_object_get(root, "findings");
	if (!json_is_object(root) || !json_is_integer(version) || json_integer_value(version) != 1) {
		snprintf(err, errlen, "%s: not a wirelint baseline (version 1)", path);
		goto out;
	}
	if (!json_is_array(list)) {
		snprintf(err, errlen, "%s: 'findings' is not a list", path);
		goto out;
	}
	size_t i;
	json_t *it;
	json_array_foreach(list, i, it)
	{
		const char *fp = str_of(it, "fingerprint"), *rule = str_of(it, "rule"), *server = str_of(it, "server"),
			   *method = str_of(it, "method"), *endpoint = str_of(it, "endpoint");
		json_t *count = json_object_get(it, "count"), *status = json_object_get(it, "status");
		if (!fp || strlen(fp) != 16 || strspn(fp, "0123456789abcdef") != 16 || !rule || !server || !method ||
		    !endpoint || !json_is_integer(count) || json_integer_value(count) < 1 || !json_is_integer(status)) {
			snprintf(err, errlen,
				 "%s: finding %zu lacks fingerprint (16 hex digits), rule, server, method, endpoint, status or "
				 "count",
				 path, i + 1);
			goto out;
		}
		struct bl_entry *e = add_entry(b, fp, rule, server, method, endpoint, (int)json_integer_value(status));
		if (!e) {
			snprintf(err, errlen, "%s: more than %u findings", path, b->max);
			goto out;
		}
		e->count += (uint64_t)json_integer_value(count);
	}
	ok = true;
out:
	json_decref(root);
	return ok;
}

static int by_fp(const void *a, const void *b)
{
	return strcmp((*(struct bl_entry *const *)a)->fp, (*(struct bl_entry *const *)b)->fp);
}

bool bl_write(const struct baseline *b, const char *path, char *err, size_t errlen)
{
	struct bl_entry **v = malloc((b->count ? b->count : 1) * sizeof *v);
	if (!v) {
		snprintf(err, errlen, "%s: out of memory", path);
		return false;
	}
	size_t n = 0;
	for (struct bl_entry *e = b->hash; e; e = e->hh.next)
		v[n++] = e;
	qsort(v, n, sizeof *v, by_fp);
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:I}", "fingerprint", v[i]->fp,
						      "rule", v[i]->rule, "server", v[i]->server, "method",
						      v[i]->method, "endpoint", v[i]->endpoint, "status", v[i]->status,
						      "count", (json_int_t)v[i]->count));
	free(v);
	json_t *root = json_pack("{s:i, s:s, s:o}", "version", 1, "tool", "wirelint", "findings", list);
	char *text = root ? json_dumps(root, JSON_INDENT(2) | JSON_ENSURE_ASCII) : NULL;
	json_decref(root);
	FILE *f = text ? fopen(path, "w") : NULL;
	int rc = f && fputs(text, f) >= 0 && fputc('\n', f) != EOF ? 0 : -1;
	if (f && fclose(f) != 0)
		rc = -1;
	free(text);
	if (rc != 0) {
		snprintf(err, errlen, "%s: cannot write: %s", path, strerror(errno));
		return false;
	}
	return true;
}
