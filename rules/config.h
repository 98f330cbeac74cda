/* config.h: choosing rules: enable, disable, severity (options and the config file), and --explain. */
#ifndef WL_CONFIG_H
#define WL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

/*
 * A config file (YAML), found as .wirelint.yaml in the current directory or
 * named with --config:
 *
 *     rules: [team-rules.yaml]        # more rules files, relative to the config file
 *     disable: [missing-date]         # ids or globs (missing-*)
 *     enable: [deprecated-status]
 *     severity: { missing-retry-after: error, "unsolicited-*": warning }
 *
 * The file is read before the options, so --enable, --disable and
 * --severity on the command line win.
 */
struct config {
	char **rules_files;
	int nrules_files;
	char **enable, **disable;
	int nenable, ndisable;
	char **sev_pattern;
	int *sev_level;
	int nsev;
};

/* Parses the config file at path into c; false with err ("file:line:col: ...") on error. */
bool config_load(struct config *c, const char *path, char *err, size_t errlen);

/* The same from text[0..len) of a file called path. */
bool config_parse(struct config *c, const char *path, const char *text, size_t len, char *err, size_t errlen);
void config_free(struct config *c);

/*
 * Applies one choice to every rule whose id matches the glob pattern:
 * what is 'e' (enable), 'd' (disable) or 's' (severity sev).  Returns how
 * many rules matched; 0 is an error for the caller to report.
 */
int config_apply(char what, const char *pattern, int sev);

/* Parses "ID=LEVEL" for --severity; false if it is not that. */
bool config_parse_severity(const char *spec, char *pattern, size_t n, int *sev);

/* The page docs/rules/ID.md built into wirelint, or NULL. */
const char *config_rule_page(const char *id);

#endif
