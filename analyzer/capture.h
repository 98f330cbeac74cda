/* capture.h: reading saved captures (pcap and pcapng) through libpcap. */
#ifndef WL_CAPTURE_H
#define WL_CAPTURE_H

#include <stddef.h>
#include <stdio.h>

#include "engine.h"

enum cap_result {
	CAP_OK,
	CAP_OPEN_FAILED,   /* nothing read: not found, not a capture, unsupported link type */
	CAP_READ_FAILED,   /* read up to a damaged record; what came before was analysed */
};

/*
 * Feeds every frame of the capture at path ("-" for standard input) to e.
 * On failure err holds a one-line reason (without the file name).
 */
enum cap_result cap_read_file(struct engine *e, const char *path, char *err, size_t errlen);

/* The same from an open stream (not closed here); name is for messages. */
enum cap_result cap_read_stream(struct engine *e, FILE *f, const char *name, char *err, size_t errlen);

#endif
