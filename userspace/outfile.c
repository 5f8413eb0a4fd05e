// SPDX-License-Identifier: GPL-2.0
/*
 * outfile.c - output files written whole or not at all (see outfile.h)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "outfile.h"

FILE *outfile_open(struct outfile *o, const char *path)
{
	const char *slash = strrchr(path, '/');
	int dirlen = slash ? (int)(slash - path) + 1 : 0;
	struct stat st;
	mode_t mask;
	int fd;

	memset(o, 0, sizeof(*o));
	o->path = path;
	if (!*path || (slash && !slash[1]) || (!stat(path, &st) && S_ISDIR(st.st_mode))) {
		errmsg("cannot write '%s': %s", path, strerror(EISDIR));
		return NULL;
	}
	if (asprintf(&o->tmp, "%.*s.%s.XXXXXX", dirlen, path, slash ? slash + 1 : path) < 0) {
		o->tmp = NULL;
		errmsg("cannot write '%s': %s", path, strerror(ENOMEM));
		return NULL;
	}
	fd = mkstemp(o->tmp);
	if (fd < 0) {
		errmsg("cannot write '%s': %s", path, strerror(errno));
		free(o->tmp);
		o->tmp = NULL;
		return NULL;
	}
	/* the mode a plain creat() would give, not mkstemp's 0600 */
	mask = umask(0);
	umask(mask);
	fchmod(fd, 0666 & ~mask);
	o->f = fdopen(fd, "w");
	if (!o->f) {
		errmsg("cannot write '%s': %s", path, strerror(errno));
		close(fd);
		unlink(o->tmp);
		free(o->tmp);
		o->tmp = NULL;
	}
	return o->f;
}

int outfile_commit(struct outfile *o)
{
	int err = 0;

	if (fflush(o->f) || ferror(o->f))
		err = errno ? errno : EIO;
	if (fclose(o->f) && !err)
		err = errno;
	o->f = NULL;
	if (!err && rename(o->tmp, o->path))
		err = errno;
	if (err) {
		errmsg("cannot write '%s': %s", o->path, strerror(err));
		unlink(o->tmp);
	}
	free(o->tmp);
	o->tmp = NULL;
	return err ? -1 : 0;
}

void outfile_abort(struct outfile *o)
{
	if (o->f)
		fclose(o->f);
	if (o->tmp)
		unlink(o->tmp);
	free(o->tmp);
	o->f = NULL;
	o->tmp = NULL;
}
