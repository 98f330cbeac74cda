/* inputs.h: the captures a run reads: files, directories searched, and standard input. */
#ifndef WL_INPUTS_H
#define WL_INPUTS_H

#include <stdbool.h>
#include <stddef.h>

/* The files to read, sorted, each once; paths are owned by the list. */
struct inputs {
	char **paths;
	size_t n, cap;
};

/*
 * Expands names into in: a file as it is (one that does not exist too: the
 * error comes when it is read), "-" for standard input, a
 * directory into every .pcap, .pcapng and .cap file under it (any case,
 * recursively; a symbolic link is followed to a file, not to a directory).  The result
 * is sorted by byte value, so the report does not depend on the order the
 * names were given in, and a path given twice is read once.  False, with
 * err set, when a directory cannot be read.
 */
bool inputs_expand(struct inputs *in, const char *const *names, int n, char *err, size_t errlen);

void inputs_free(struct inputs *in);

#endif
