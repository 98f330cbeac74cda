/* rules_file.c: parsing rules files (YAML, through libyaml) into declarative rules. */
#include "rules_file.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "decl.h"
#include "head.h"
#include "rule.h"

struct rf_rule {
	char *id, *summary, *ref, *sources;
	bool off;  /* enabled: false, an opt-in rule */
	struct decl_rule decl;
};

struct rules_file {
	char *name;
	struct rf_rule *rules;
	int nrules, cap;
};

struct ctx {
	yaml_document_t *doc;
	const char *name;
	char *err;
	size_t errlen;
	bool failed;
};

__attribute__((format(printf, 3, 4))) static void fail(struct ctx *c, const yaml_node_t *n, const char *fmt, ...)
{
	if (c->failed)
		return;
	c->failed = true;
	int k = snprintf(c->err, c->errlen, "%s:%zu:%zu: ", c->name, n ? n->start_mark.line + 1 : 1,
			 n ? n->start_mark.column + 1 : 1);
	if (k < 0 || (size_t)k >= c->errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->err + k, c->errlen - (size_t)k, fmt, ap);
	va_end(ap);
}

static yaml_node_t *node(struct ctx *c, int i)
{
	return yaml_document_get_node(c->doc, i);
}

/* The scalar's text (NUL-terminated by libyaml), or NULL with an error. */
static const char *scalar(struct ctx *c, yaml_node_t *n, const char *what)
{
	if (!n || n->type != YAML_SCALAR_NODE) {
		fail(c, n, "%s must be a single value", what);
		return NULL;
	}
	return (const char *)n->data.scalar.value;
}

static char *dup(struct ctx *c, const char *s)
{
	char *d = strdup(s);
	if (!d)
		fail(c, NULL, "out of memory");
	return d;
}

static bool is_token(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!(strchr("!#$%&'*+-.^_`|~", *s) || (*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= 'A' && *s <= 'Z')))
			return false;
	return true;
}

/*
 * Whether a pattern is simple enough for glibc's regcomp, whose memory
 * grows without bound on stacked quantifiers (a+++...) and on nested bounded
 * repetitions (((a{1,100}){1,100}){1,100} takes a gigabyte): at most 512
 * bytes, no quantifier right after another outside a bracket expression,
 * and the bounds of all {m,n} multiplied together at most 1000.  NULL if
 * fine, else why.
 */
static const char *pattern_too_complex(const char *pat)
{
	if (strlen(pat) > 512)
		return "longer than 512 bytes";
	bool in_bracket = false, after_quant = false;
	long product = 1;
	for (const char *p = pat; *p; p++) {
		if (in_bracket) {
			if (*p == ']' && p[-1] != '[' && !(p[-1] == '^' && p[-2] == '['))
				in_bracket = false;
			continue;
		}
		if (*p == '\\' && p[1]) {
			p++;
			after_quant = false;
			continue;
		}
		if (*p == '[') {
			in_bracket = true;
			after_quant = false;
			continue;
		}
		bool quant = *p == '*' || *p == '+' || *p == '?' || *p == '{';
		if (quant && after_quant)
			return "a quantifier follows another";
		if (*p == '{') {
			const char *q = p + 1;
			while (*q && *q != '}') {
				if (*q >= '0' && *q <= '9') {
					long v = 0;
					while (*q >= '0' && *q <= '9' && v <= 1000)
						v = v * 10 + (*q++ - '0');
					if (v > 1000 || (v > 1 && (product *= v) > 1000))
						return "repetition bounds multiplying past 1000";
				} else {
					q++;
				}
			}
			p = *q ? q : q - 1;
		}
		after_quant = quant;
	}
	return NULL;
}

/* Patterns compiled so far: each condition's number (struct hcond's seq). */
static _Atomic uint32_t patterns_compiled;

/* "present", "absent", "/re/", "/re/i", "!/re/", "!/re/i". */
static bool parse_hcond(struct ctx *c, yaml_node_t *kn, yaml_node_t *vn, struct hcond *h)
{
	const char *name = scalar(c, kn, "a field name");
	const char *v = scalar(c, vn, "a field condition");
	if (!name || !v)
		return false;
	if (!is_token(name)) {
		fail(c, kn, "'%s' is not a field name", name);
		return false;
	}
	memset(h, 0, sizeof *h);
	if (strcmp(v, "present") == 0) {
		h->kind = HC_PRESENT;
	} else if (strcmp(v, "absent") == 0) {
		h->kind = HC_ABSENT;
	} else {
		bool neg = v[0] == '!';
		const char *p = v + neg;
		size_t l = strlen(p);
		bool icase = l >= 3 && p[l - 1] == 'i' && p[l - 2] == '/';
		if (icase)
			l--;
		if (l < 2 || p[0] != '/' || p[l - 1] != '/') {
			fail(c, vn, "'%s' is not a condition: present, absent, /pattern/, /pattern/i or !/pattern/", v);
			return false;
		}
		char *pat = strndup(p + 1, l - 2);
		if (!pat) {
			fail(c, vn, "out of memory");
			return false;
		}
		const char *complexity = pattern_too_complex(pat);
		if (complexity) {
			fail(c, vn, "pattern /%.40s/ is too complex: %s", pat, complexity);
			free(pat);
			return false;
		}
		int rc = regcomp(&h->re, pat, REG_EXTENDED | REG_NOSUB | (icase ? REG_ICASE : 0));
		if (rc != 0) {
			char why[128];
			regerror(rc, &h->re, why, sizeof why);
			fail(c, vn, "bad pattern /%s/: %s", pat, why);
			free(pat);
			return false;
		}
		h->fast = fastre_find(pat, icase);
		h->seq = atomic_fetch_add(&patterns_compiled, 1);
		free(pat);
		h->has_re = true;
		h->kind = neg ? HC_NOT_MATCH : HC_MATCH;
	}
	h->name = dup(c, name);
	if (!h->name) {
		if (h->has_re)
			regfree(&h->re);
		return false;
	}
	h->nlen = (uint32_t)strlen(h->name);
	h->hash = head_name_hash(h->name, h->nlen);
	return true;
}

static bool parse_hconds(struct ctx *c, yaml_node_t *m, struct hcond **out, int *n)
{
	if (m->type != YAML_MAPPING_NODE) {
		fail(c, m, "expected field names with conditions (Name: present)");
		return false;
	}
	size_t k = (size_t)(m->data.mapping.pairs.top - m->data.mapping.pairs.start);
	*out = calloc(k ? k : 1, sizeof **out);
	if (!*out) {
		fail(c, m, "out of memory");
		return false;
	}
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		if (!parse_hcond(c, node(c, p->key), node(c, p->value), &(*out)[*n]))
			return false;
		(*n)++;
	}
	return true;
}

/* "405", "4xx", "500-599". */
static bool parse_status(struct ctx *c, yaml_node_t *n, struct status_range *r)
{
	const char *s = scalar(c, n, "a status");
	if (!s)
		return false;
	int lo, hi;
	char tail;
	if (strlen(s) == 3 && s[0] >= '1' && s[0] <= '9' && s[1] == 'x' && s[2] == 'x') {
		lo = (s[0] - '0') * 100;
		hi = lo + 99;
	} else if (sscanf(s, "%d-%d%c", &lo, &hi, &tail) == 2 && lo <= hi) {
		/* a range */
	} else if (sscanf(s, "%d%c", &lo, &tail) == 1) {
		hi = lo;
	} else {
		fail(c, n, "'%s' is not a status: 405, 4xx or 500-599", s);
		return false;
	}
	if (lo < 0 || hi > 999) {
		fail(c, n, "'%s' is outside 0-999", s);
		return false;
	}
	r->lo = lo;
	r->hi = hi;
	return true;
}

/* A scalar or a sequence of scalars: calls each(c, node, i) and returns the count, or -1. */
static int each_item(struct ctx *c, yaml_node_t *n, int max)
{
	if (n->type == YAML_SCALAR_NODE)
		return 1;
	if (n->type != YAML_SEQUENCE_NODE) {
		fail(c, n, "expected a value or a list of values");
		return -1;
	}
	int k = (int)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (k == 0 || k > max) {
		fail(c, n, "expected 1 to %d values", max);
		return -1;
	}
	return k;
}

static yaml_node_t *item(struct ctx *c, yaml_node_t *n, int i)
{
	return n->type == YAML_SCALAR_NODE ? n : node(c, n->data.sequence.items.start[i]);
}

/* Whether the key of pair p appeared earlier in mapping m (an error: which one would count?). */
static bool repeated_key(struct ctx *c, yaml_node_t *m, yaml_node_pair_t *p)
{
	yaml_node_t *kn = node(c, p->key);
	if (kn->type != YAML_SCALAR_NODE)
		return false;
	for (yaml_node_pair_t *q = m->data.mapping.pairs.start; q < p; q++) {
		yaml_node_t *qn = node(c, q->key);
		if (qn->type == YAML_SCALAR_NODE && strcmp((const char *)qn->data.scalar.value,
							   (const char *)kn->data.scalar.value) == 0) {
			fail(c, kn, "key '%s' appears twice", (const char *)kn->data.scalar.value);
			return true;
		}
	}
	return false;
}

static bool parse_when(struct ctx *c, yaml_node_t *m, struct decl_case *dc)
{
	if (m->type != YAML_MAPPING_NODE) {
		fail(c, m, "'when' takes keys: status, method, version, request, response, body, body-min, body-max");
		return false;
	}
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = node(c, p->key), *vn = node(c, p->value);
		const char *k = scalar(c, kn, "a key");
		if (!k || repeated_key(c, m, p))
			return false;
		if (strcmp(k, "status") == 0 || strcmp(k, "not-status") == 0) {
			bool neg = k[0] == 'n';
			if ((neg ? dc->not_status : dc->status) != NULL) {
				fail(c, kn, "'%s' given twice", k);
				return false;
			}
			int cnt = each_item(c, vn, 256);
			if (cnt < 0)
				return false;
			struct status_range *r = calloc((size_t)cnt, sizeof *r);
			if (!r)
				return false;
			*(neg ? &dc->not_status : &dc->status) = r;
			int *n = neg ? &dc->nnot_status : &dc->nstatus;
			for (int i = 0; i < cnt; i++, (*n)++)
				if (!parse_status(c, item(c, vn, i), &r[i]))
					return false;
		} else if (strcmp(k, "method") == 0 || strcmp(k, "not-method") == 0 || strcmp(k, "unless-method") == 0) {
			if (dc->methods) {
				fail(c, kn, "use one of method, not-method and unless-method");
				return false;
			}
			dc->unless_methods = k[0] == 'u';
			dc->not_methods = k[0] != 'm';
			int cnt = each_item(c, vn, 64);
			if (cnt < 0)
				return false;
			dc->methods = calloc((size_t)cnt, sizeof *dc->methods);
			if (!dc->methods)
				return false;
			for (int i = 0; i < cnt; i++) {
				const char *s = scalar(c, item(c, vn, i), "a method");
				if (!s || !is_token(s)) {
					if (s)
						fail(c, item(c, vn, i), "'%s' is not a method", s);
					return false;
				}
				if (!(dc->methods[dc->nmethods++] = dup(c, s)))
					return false;
			}
		} else if (strcmp(k, "version") == 0) {
			const char *s = scalar(c, vn, "a version");
			if (!s)
				return false;
			if (strcmp(s, "1.0") != 0 && strcmp(s, "1.1") != 0) {
				fail(c, vn, "'%s' is not an HTTP/1 version: 1.0 or 1.1", s);
				return false;
			}
			if (!(dc->version = dup(c, s)))
				return false;
		} else if (strcmp(k, "request") == 0) {
			if (!parse_hconds(c, vn, &dc->req_when, &dc->nreq_when))
				return false;
		} else if (strcmp(k, "response") == 0) {
			if (!parse_hconds(c, vn, &dc->resp_when, &dc->nresp_when))
				return false;
		} else if (strcmp(k, "body") == 0) {
			const char *s = scalar(c, vn, "body");
			if (!s)
				return false;
			if (strcmp(s, "present") == 0)
				dc->body = 1;
			else if (strcmp(s, "absent") == 0)
				dc->body = 0;
			else {
				fail(c, vn, "body is present or absent, not '%s'", s);
				return false;
			}
		} else if (strcmp(k, "body-min") == 0 || strcmp(k, "body-max") == 0) {
			const char *s = scalar(c, vn, k);
			char tail;
			long long v;
			if (!s)
				return false;
			if (sscanf(s, "%lld%c", &v, &tail) != 1 || v < 0) {
				fail(c, vn, "%s is a number of bytes, not '%s'", k, s);
				return false;
			}
			*(k[5] == 'm' && k[6] == 'i' ? &dc->body_min : &dc->body_max) = v;
		} else {
			fail(c, kn, "unknown key '%s' in when (status, not-status, method, not-method, unless-method, version, request, response, body, body-min, body-max)", k);
			return false;
		}
	}
	return true;
}

static struct rf_rule *rule_for(struct rules_file *rf, struct ctx *c, const char *id)
{
	for (int i = 0; i < rf->nrules; i++)
		if (strcmp(rf->rules[i].id, id) == 0)
			return &rf->rules[i];
	if (rf->nrules == rf->cap) {
		int nc = rf->cap ? rf->cap * 2 : 16;
		struct rf_rule *nr = realloc(rf->rules, (size_t)nc * sizeof *nr);
		if (!nr) {
			fail(c, NULL, "out of memory");
			return NULL;
		}
		rf->rules = nr;
		rf->cap = nc;
	}
	struct rf_rule *r = &rf->rules[rf->nrules++];
	memset(r, 0, sizeof *r);
	r->id = dup(c, id);
	return r->id ? r : NULL;
}

static bool kebab(const char *s)
{
	if (!*s || *s == '-')
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
			return false;
	return true;
}

static bool parse_entry(struct ctx *c, struct rules_file *rf, yaml_node_t *m)
{
	if (m->type != YAML_MAPPING_NODE) {
		fail(c, m, "a rule is a set of keys: id, severity, summary, when, require, message");
		return false;
	}
	const char *id = NULL, *sev = NULL, *summary = NULL, *ref = NULL, *sources = NULL, *message = NULL;
	int enabled = -1;
	yaml_node_t *when = NULL, *require = NULL, *idn = NULL, *sevn = NULL;
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = node(c, p->key), *vn = node(c, p->value);
		const char *k = scalar(c, kn, "a key");
		if (!k || repeated_key(c, m, p))
			return false;
		if (strcmp(k, "id") == 0) {
			idn = vn;
			id = scalar(c, vn, "id");
		} else if (strcmp(k, "severity") == 0) {
			sevn = vn;
			sev = scalar(c, vn, "severity");
		} else if (strcmp(k, "summary") == 0) {
			summary = scalar(c, vn, "summary");
		} else if (strcmp(k, "reference") == 0) {
			ref = scalar(c, vn, "reference");
		} else if (strcmp(k, "sources") == 0) {
			sources = scalar(c, vn, "sources");
		} else if (strcmp(k, "message") == 0) {
			message = scalar(c, vn, "message");
		} else if (strcmp(k, "enabled") == 0) {
			const char *e = scalar(c, vn, "enabled");
			if (e && strcmp(e, "true") != 0 && strcmp(e, "false") != 0) {
				fail(c, vn, "enabled is true or false, not '%s'", e);
				return false;
			}
			enabled = e && strcmp(e, "true") == 0;
		} else if (strcmp(k, "when") == 0) {
			when = vn;
		} else if (strcmp(k, "require") == 0) {
			require = vn;
		} else {
			fail(c, kn, "unknown key '%s' (id, severity, summary, reference, sources, enabled, when, require, message)", k);
			return false;
		}
		if (c->failed)
			return false;
	}
	if (!id) {
		fail(c, m, "a rule needs an id");
		return false;
	}
	if (!kebab(id)) {
		fail(c, idn, "id '%s' is not kebab-case (a-z, 0-9, -)", id);
		return false;
	}
	int s = sev ? severity_parse(sev) : -1;
	if (s < 0) {
		fail(c, sev ? sevn : m, sev ? "severity '%s' is not error, warning or info" : "rule '%s' needs a severity",
		     sev ? sev : id);
		return false;
	}
	if (!message) {
		fail(c, m, "rule '%s' needs a message", id);
		return false;
	}
	if (!require && !when) {
		fail(c, m, "rule '%s' needs 'when' (report when it holds) or 'require' (or both)", id);
		return false;
	}
	struct rf_rule *r = rule_for(rf, c, id);
	if (!r)
		return false;
	if (enabled >= 0)
		r->off = !enabled;
	if (!r->summary) {
		if (!summary) {
			fail(c, m, "rule '%s' needs a summary", id);
			return false;
		}
		r->summary = dup(c, summary);
		r->ref = dup(c, ref ? ref : "");
		r->sources = dup(c, sources ? sources : "");
		if (!r->summary || !r->ref || !r->sources)
			return false;
	}
	struct decl_case *nc = realloc(r->decl.cases, (size_t)(r->decl.ncases + 1) * sizeof *nc);
	if (!nc) {
		fail(c, m, "out of memory");
		return false;
	}
	r->decl.cases = nc;
	struct decl_case *dc = &nc[r->decl.ncases++];
	memset(dc, 0, sizeof *dc);
	dc->sev = (enum severity)s;
	dc->body = -1;
	dc->body_min = dc->body_max = -1;
	dc->line = (int)m->start_mark.line + 1;
	if (!(dc->message = dup(c, message)))
		return false;
	if (when && !parse_when(c, when, dc))
		return false;
	decl_case_finish(dc);
	if (!require)
		return true; /* reported whenever 'when' holds */
	if (require->type != YAML_MAPPING_NODE) {
		fail(c, require, "'require' takes 'response: {Field: condition}'");
		return false;
	}
	for (yaml_node_pair_t *p = require->data.mapping.pairs.start; p < require->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = node(c, p->key);
		const char *k = scalar(c, kn, "a key");
		if (!k || repeated_key(c, require, p))
			return false;
		if (strcmp(k, "response") != 0) {
			fail(c, kn, "unknown key '%s' in require (response)", k);
			return false;
		}
		if (!parse_hconds(c, node(c, p->value), &dc->require, &dc->nrequire))
			return false;
	}
	if (!dc->nrequire) {
		fail(c, require, "rule '%s' requires nothing", id);
		return false;
	}
	return true;
}

void rules_file_free(struct rules_file *rf)
{
	if (!rf)
		return;
	for (int i = 0; i < rf->nrules; i++) {
		struct rf_rule *r = &rf->rules[i];
		for (int k = 0; k < r->decl.ncases; k++)
			decl_case_free(&r->decl.cases[k]);
		free(r->decl.cases);
		free(r->id);
		free(r->summary);
		free(r->ref);
		free(r->sources);
	}
	free(rf->rules);
	free(rf->name);
	free(rf);
}

struct rules_file *rules_file_parse(const char *name, const char *text, size_t len, char *err, size_t errlen)
{
	struct rules_file *rf = calloc(1, sizeof *rf);
	if (!rf || !(rf->name = strdup(name))) {
		free(rf);
		snprintf(err, errlen, "%s: out of memory", name);
		return NULL;
	}
	yaml_parser_t parser;
	yaml_document_t doc;
	struct ctx c = { &doc, name, err, errlen, false };
	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, errlen, "%s: out of memory", name);
		rules_file_free(rf);
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(err, errlen, "%s:%zu:%zu: %s%s%s", name, parser.problem_mark.line + 1,
			 parser.problem_mark.column + 1, parser.problem ? parser.problem : "not YAML",
			 parser.context ? " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		rules_file_free(rf);
		return NULL;
	}
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (!root) {
		fail(&c, NULL, "empty rules file (expected 'rules:' and a list of rules)");
	} else if (root->type != YAML_MAPPING_NODE) {
		fail(&c, root, "expected 'rules:' and a list of rules");
	} else {
		for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top && !c.failed;
		     p++) {
			yaml_node_t *kn = node(&c, p->key), *vn = node(&c, p->value);
			const char *k = scalar(&c, kn, "a key");
			if (!k)
				break;
			if (strcmp(k, "rules") != 0) {
				fail(&c, kn, "unknown key '%s' (expected 'rules')", k);
				break;
			}
			if (vn->type != YAML_SEQUENCE_NODE) {
				fail(&c, vn, "'rules' is a list of rules (each starting with '- id:')");
				break;
			}
			for (yaml_node_item_t *it = vn->data.sequence.items.start; it < vn->data.sequence.items.top; it++)
				if (!parse_entry(&c, rf, node(&c, *it)))
					break;
		}
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (c.failed) {
		rules_file_free(rf);
		return NULL;
	}
	return rf;
}

struct rules_file *rules_file_load(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	char *buf = NULL;
	size_t len = 0, cap = 0;
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 4096;
			if (cap > (16u << 20)) {
				snprintf(err, errlen, "%s: larger than 16 MiB", path);
				free(buf);
				fclose(f);
				return NULL;
			}
			char *nb = realloc(buf, cap);
			if (!nb) {
				snprintf(err, errlen, "%s: out of memory", path);
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		size_t k = fread(buf + len, 1, cap - len, f);
		len += k;
		if (k == 0)
			break;
	}
	bool bad = ferror(f);
	fclose(f);
	if (bad) {
		snprintf(err, errlen, "%s: read error", path);
		free(buf);
		return NULL;
	}
	struct rules_file *rf = rules_file_parse(path, buf, len, err, errlen);
	free(buf);
	return rf;
}

int rules_file_count(const struct rules_file *rf)
{
	return rf->nrules;
}

int rules_file_register(struct rules_file *rf, char *err, size_t errlen)
{
	for (int i = 0; i < rf->nrules; i++) {
		struct rf_rule *r = &rf->rules[i];
		bool req = true;
		for (int k = 0; k < r->decl.ncases; k++)
			req = req && decl_case_needs_request(&r->decl.cases[k]);
		struct rule_def d = {
			.id = r->id,
			.sev = r->decl.cases[0].sev,
			.needs_request = req,
			.check = NULL,
			.summary = r->summary,
			.ref = r->ref,
			.decl = &r->decl,
			.origin = rf->name,
			.enabled = !r->off,
			.default_off = r->off,
			.sev_override = -1,
		};
		if (rule_register(&d) < 0) {
			int at = rule_by_id(r->id);
			snprintf(err, errlen, "%s:%d: rule '%s' is already defined (%s)", rf->name, r->decl.cases[0].line, r->id,
				 at >= 0 ? rule_table[at].origin : "the rule table is full");
			return -1;
		}
	}
	return 0;
}

/* Built by cmake/embed.cmake from rules/builtin.yaml. */
extern const char wl_builtin_rules[];
extern const size_t wl_builtin_rules_len;

static struct rules_file *builtin;

int rules_load_builtin(char *err, size_t errlen)
{
	/* Parsed once; registered again after each rules_init(). */
	if (!builtin)
		builtin = rules_file_parse("rules/builtin.yaml", wl_builtin_rules, wl_builtin_rules_len, err, errlen);
	if (!builtin)
		return -1;
	if (rules_file_register(builtin, err, errlen) < 0)
		return -1;
	for (int i = 0; i < rule_count; i++)
		if (rule_table[i].origin == builtin->name)
			rule_table[i].origin = "built-in";
	return 0;
}
