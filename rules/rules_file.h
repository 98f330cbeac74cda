/* rules_file.h: rules files (YAML): the built-in one and the user's (--rules). */
#ifndef WL_RULES_FILE_H
#define WL_RULES_FILE_H

#include <stddef.h>

/*
 * A rules file is parsed whole before anything is analysed; an error names
 * the file, line and column ("rules/x.yaml:12:9: unknown key 'stauts'").
 * The format is in docs/rules-files.md.  A parsed file owns its rules; once
 * registered, the rule table points into it, so it lives as long as the run.
 */
struct rules_file;

/* Parses text[0..len) of a file called name; NULL with err set on error. */
struct rules_file *rules_file_parse(const char *name, const char *text, size_t len, char *err, size_t errlen);

/* Reads and parses the file at path. */
struct rules_file *rules_file_load(const char *path, char *err, size_t errlen);

/* Adds the file's rules to the rule table; -1 with err set when an id is taken. */
int rules_file_register(struct rules_file *rf, char *err, size_t errlen);

/* How many rules (distinct ids) the file holds. */
int rules_file_count(const struct rules_file *rf);

void rules_file_free(struct rules_file *rf);

/* The rules file built into wirelint (rules/builtin.yaml), registered after the C rules. */
int rules_load_builtin(char *err, size_t errlen);

#endif
