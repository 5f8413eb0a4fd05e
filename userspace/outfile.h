/* SPDX-License-Identifier: GPL-2.0 */
/*
 * outfile.h - an output file of the vmlab tool (--svg, --html) written
 * whole or not at all: into a temporary file beside it, renamed over the
 * path only once everything is written, removed on any failure.
 */
#ifndef VMLAB_OUTFILE_H
#define VMLAB_OUTFILE_H

#include <stdio.h>

struct outfile {
	const char *path;
	char *tmp;
	FILE *f;
};

/*
 * Make the temporary file for @path: its stream, or NULL after one line
 * saying why (a directory that is missing or not writable, a path that
 * is a directory).
 */
FILE *outfile_open(struct outfile *o, const char *path);

/* Flush and rename it to its path: 0, or -1 after one line (and no file). */
int outfile_commit(struct outfile *o);

/* Throw it away (after an error elsewhere); nothing is left behind. */
void outfile_abort(struct outfile *o);

#endif /* VMLAB_OUTFILE_H */
