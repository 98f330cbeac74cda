/* config.c: choosing rules: enable, disable, severity (options and the config file), and --explain. */
#include "config.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "rule.h"

/* Built by cmake/embed_pages.cmake from docs/rules/. */
extern const struct {
	const char *id;
	const char *text;
} wl_rule_pages[];

const char *config_rule_page(const char *id)
{
	for (int i = 0; wl_rule_pages[i].id; i++)
		if (strcmp(wl_rule_pages[i].id, id) == 0)
			return wl_rule_pages[i].text;
	return NULL;
}

int config_apply(char what, const char *pattern, int sev)
{
	int n = 0;
	for (int i = 0; i < rule_count; i++) {
		if (fnmatch(pattern, rule_table[i].id, 0) != 0)
			continue;
		n++;
		if (what == 'e')
			rule_set_enabled(i, true);
		else if (what == 'd')
			rule_set_enabled(i, false);
		else
			rule_set_severity(i, sev);
	}
	return n;
}

bool config_parse_severity(const char *spec, char *pattern, size_t n, int *sev)
{
	const char *eq = strrchr(spec, '=');
	if (!eq || eq == spec || (size_t)(eq - spec) >= n)
		return false;
	memcpy(pattern, spec, (size_t)(eq - spec));
	pattern[eq - spec] = 0;
	*sev = severity_parse(eq + 1);
	return *sev >= 0;
}

static bool push(char ***list, int *n, const char *s)
{
	char **nl = realloc(*list, (size_t)(*n + 1) * sizeof *nl);
	if (!nl)
		return false;
	*list = nl;
	if (!(nl[*n] = strdup(s)))
		return false;
	(*n)++;
	return true;
}

void config_free(struct config *c)
{
	for (int i = 0; i < c->nrules_files; i++)
		free(c->rules_files[i]);
	for (int i = 0; i < c->nenable; i++)
		free(c->enable[i]);
	for (int i = 0; i < c->ndisable; i++)
		free(c->disable[i]);
	for (int i = 0; i < c->nsev; i++)
		free(c->sev_pattern[i]);
	free(c->rules_files);
	free(c->enable);
	free(c->disable);
	free(c->sev_pattern);
	free(c->sev_level);
	memset(c, 0, sizeof *c);
}

#define AT(n) (n)->start_mark.line + 1, (n)->start_mark.column + 1

/* A list of strings (or one string) into list. */
static bool strings(yaml_document_t *d, yaml_node_t *v, char ***list, int *n, const char *path, char *err,
		    size_t errlen)
{
	if (v->type == YAML_SCALAR_NODE)
		return push(list, n, (const char *)v->data.scalar.value);
	if (v->type != YAML_SEQUENCE_NODE) {
		snprintf(err, errlen, "%s:%zu:%zu: expected a list of rule ids or globs", path, AT(v));
		return false;
	}
	for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		yaml_node_t *x = yaml_document_get_node(d, *it);
		if (x->type != YAML_SCALAR_NODE) {
			snprintf(err, errlen, "%s:%zu:%zu: expected a rule id or glob", path, AT(x));
			return false;
		}
		if (!push(list, n, (const char *)x->data.scalar.value)) {
			snprintf(err, errlen, "%s: out of memory", path);
			return false;
		}
	}
	return true;
}

bool config_load(struct config *c, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return false;
	}
	char buf[1 << 16];
	size_t n = fread(buf, 1, sizeof buf, f);
	bool big = n == sizeof buf;
	fclose(f);
	if (big) {
		snprintf(err, errlen, "%s: a config file is at most %zu bytes", path, sizeof buf - 1);
		return false;
	}
	return config_parse(c, path, buf, n, err, errlen);
}

bool config_parse(struct config *c, const char *path, const char *text, size_t len, char *err, size_t errlen)
{
	yaml_parser_t p;
	yaml_document_t d;
	if (!yaml_parser_initialize(&p)) {
		snprintf(err, errlen, "%s: out of memory", path);
		return false;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	bool ok = false;
	if (!yaml_parser_load(&p, &d)) {
		snprintf(err, errlen, "%s:%zu:%zu: %s", path, p.problem_mark.line + 1, p.problem_mark.column + 1,
			 p.problem ? p.problem : "not YAML");
		yaml_parser_delete(&p);
		return false;
	}
	yaml_node_t *root = yaml_document_get_root_node(&d);
	if (!root) {
		ok = true; /* an empty config changes nothing */
		goto done;
	}
	if (root->type != YAML_MAPPING_NODE) {
		snprintf(err, errlen, "%s:%zu:%zu: expected keys: rules, enable, disable, severity", path, AT(root));
		goto done;
	}
	for (yaml_node_pair_t *pr = root->data.mapping.pairs.start; pr < root->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = yaml_document_get_node(&d, pr->key), *v = yaml_document_get_node(&d, pr->value);
		const char *key = k->type == YAML_SCALAR_NODE ? (const char *)k->data.scalar.value : "";
		if (strcmp(key, "rules") == 0) {
			if (!strings(&d, v, &c->rules_files, &c->nrules_files, path, err, errlen))
				goto done;
		} else if (strcmp(key, "enable") == 0) {
			if (!strings(&d, v, &c->enable, &c->nenable, path, err, errlen))
				goto done;
		} else if (strcmp(key, "disable") == 0) {
			if (!strings(&d, v, &c->disable, &c->ndisable, path, err, errlen))
				goto done;
		} else if (strcmp(key, "severity") == 0) {
			if (v->type != YAML_MAPPING_NODE) {
				snprintf(err, errlen, "%s:%zu:%zu: severity takes 'rule-id: level' pairs", path, AT(v));
				goto done;
			}
			for (yaml_node_pair_t *sp = v->data.mapping.pairs.start; sp < v->data.mapping.pairs.top; sp++) {
				yaml_node_t *sk = yaml_document_get_node(&d, sp->key), *sv = yaml_document_get_node(&d, sp->value);
				int lvl = sv->type == YAML_SCALAR_NODE ? severity_parse((const char *)sv->data.scalar.value) : -1;
				if (sk->type != YAML_SCALAR_NODE || lvl < 0) {
					snprintf(err, errlen, "%s:%zu:%zu: expected 'rule-id: error|warning|info'", path, AT(sv));
					goto done;
				}
				int *nl = realloc(c->sev_level, (size_t)(c->nsev + 1) * sizeof *nl);
				if (!nl)
					goto done;
				c->sev_level = nl;
				c->sev_level[c->nsev] = lvl;
				int before = c->nsev;
				if (!push(&c->sev_pattern, &before, (const char *)sk->data.scalar.value))
					goto done;
				c->nsev++;
			}
		} else {
			snprintf(err, errlen, "%s:%zu:%zu: unknown key '%s' (rules, enable, disable, severity)", path, AT(k), key);
			goto done;
		}
	}
	ok = true;
done:
	yaml_document_delete(&d);
	yaml_parser_delete(&p);
	return ok;
}
