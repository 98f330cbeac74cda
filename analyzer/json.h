/* json.h: writing wire bytes safely into JSON strings, XML text and text lines. */
#ifndef WL_JSON_H
#define WL_JSON_H

#include <stddef.h>
#include <stdio.h>

/*
 * Writes p[0..n) as a JSON string, quotes included.  Valid UTF-8 passes
 * through; ", \ and control characters are escaped (\n, \t, \u001b, ...).
 * A byte that is not part of valid UTF-8 (overlong forms, surrogates and
 * code points past U+10FFFF included) becomes the four characters \xXX
 * (written \\xXX inside the JSON string), as Zeek does: the output is
 * always valid JSON and the byte's value is kept.
 */
void json_str(FILE *f, const char *p, size_t n);

/* Writes s for XML or HTML text and attribute values: &, <, > and " escaped (s is printable ASCII). */
void xml_str(FILE *f, const char *s);

/* Writes p[0..n) for a terminal or log line: printable ASCII as is, everything else as \xXX. */
void text_str(FILE *f, const char *p, size_t n);

/* Length of the valid UTF-8 sequence at p[0..n), or 0 if it is not one. */
size_t utf8_seq_len(const unsigned char *p, size_t n);

#endif
