/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tool_run.h - running the vmlab tool (and jq, busybox) from a selftest
 * and checking what it printed: the helpers of cli.c and tree.c. A run
 * captures exit status, stdout and stderr; EXPECT_JQ checks a value of
 * --json output (in one jq per document where the test says JQ_BATCH()),
 * EXPECT_ONE_LINE_ERROR a failure's one line.
 * Include after kselftest_harness.h, with _GNU_SOURCE defined.
 */
#ifndef VMLAB_TOOL_RUN_H
#define VMLAB_TOOL_RUN_H

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "vmlab_test.h"

#define VMLAB_BIN	"/bin/vmlab"
#define JQ_BIN		"/usr/bin/jq"
#define HEXDUMP_BIN	"/bin/hexdump"

/* what a run of a program left: exit status, stdout, stderr */
struct result {
	int status;		/* exit code, or 128 + the signal that killed it */
	char *out, *err;
	size_t out_len;
};

static inline void result_free(struct result *r)
{
	free(r->out);
	free(r->err);
	r->out = NULL;
	r->err = NULL;
}

/* the whole contents of @fd, NUL-terminated, its length in @len */
static inline char *slurp(int fd, size_t *len)
{
	off_t size = lseek(fd, 0, SEEK_END);
	char *buf;

	if (size < 0 || lseek(fd, 0, SEEK_SET))
		return NULL;
	buf = malloc(size + 1);
	if (!buf)
		return NULL;
	if (pread(fd, buf, size, 0) != size) {
		free(buf);
		return NULL;
	}
	buf[size] = '\0';
	if (len)
		*len = size;
	return buf;
}

/*
 * Run @argv with @in (may be NULL) on stdin, stdout and stderr captured,
 * "NAME=VALUE" @env added to the environment, as @uid when not 0. Without
 * a uid change it is posix_spawn (a vfork): our own page tables stay as
 * they are, where a fork would write-protect them for copy-on-write.
 * 0, or -1 when the program could not be run.
 */
static inline int run_full(struct result *r, uid_t uid, const char *env, const char *in,
			   char *const argv[])
{
	posix_spawn_file_actions_t fa;
	char **envp = environ;
	int fds[3], i, ret = -1, st;
	size_t n = 0;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < 3; i++)
		fds[i] = memfd_create("cli", MFD_CLOEXEC);
	if (fds[0] < 0 || fds[1] < 0 || fds[2] < 0)
		goto out;
	if (in && write(fds[0], in, strlen(in)) != (ssize_t)strlen(in))
		goto out;
	lseek(fds[0], 0, SEEK_SET);
	if (env) {
		while (environ[n])
			n++;
		envp = calloc(n + 2, sizeof(*envp));
		if (!envp)
			goto out;
		memcpy(envp, environ, n * sizeof(*envp));
		envp[n] = (char *)env;
	}
	if (uid) {
		pid = fork();
		if (pid == 0) {
			for (i = 0; i < 3; i++)
				dup2(fds[i], i);
			if (setgroups(0, NULL) || setgid(uid) || setuid(uid))
				_exit(126);
			execve(argv[0], argv, envp);
			_exit(127);
		}
		if (pid < 0)
			goto out;
	} else {
		posix_spawn_file_actions_init(&fa);
		for (i = 0; i < 3; i++)
			posix_spawn_file_actions_adddup2(&fa, fds[i], i);
		st = posix_spawn(&pid, argv[0], &fa, NULL, argv, envp);
		posix_spawn_file_actions_destroy(&fa);
		if (st)
			goto out;
	}
	if (waitpid(pid, &st, 0) != pid)
		goto out;
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	r->out = slurp(fds[1], &r->out_len);
	r->err = slurp(fds[2], NULL);
	ret = r->out && r->err ? 0 : -1;
out:
	if (envp != environ)
		free(envp);
	for (i = 0; i < 3; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return ret;
}

#define RUN(r, ...) run_full(r, 0, NULL, NULL, (char *const[]){ __VA_ARGS__, NULL })

/* the vmlab tool with printf-formatted arguments split at spaces */
static inline int vmlab(struct result *r, const char *fmt, ...)
{
	char *args[32], *line, *save = NULL, *tok;
	int n = 0, ret;
	va_list ap;

	args[n++] = VMLAB_BIN;
	va_start(ap, fmt);
	ret = vasprintf(&line, fmt, ap);
	va_end(ap);
	if (ret < 0)
		return -1;
	for (tok = strtok_r(line, " ", &save); tok && n < 31; tok = strtok_r(NULL, " ", &save))
		args[n++] = tok;
	args[n] = NULL;
	ret = run_full(r, 0, NULL, NULL, args);
	free(line);
	return ret;
}

/* jq -r @filter over @json: its output without the last newline; NULL on failure */
static inline char *jq(const char *json, const char *filter)
{
	struct result r;
	char *s;

	if (run_full(&r, 0, NULL, json, (char *const[]){ JQ_BIN, "-r", (char *)filter, NULL }) ||
	    r.status) {
		if (r.err)
			fprintf(stderr, "# %s '%s': %s", __func__, filter, r.err);
		result_free(&r);
		return NULL;
	}
	s = r.out;
	s[strcspn(s, "\n")] = '\0';
	free(r.err);
	return s;
}

/*
 * Batched checks. jq compiles its builtins at every start: about 30 ms
 * natively, most of a second under TCG, which made the tool's tests the
 * slowest of every VM. A test that declares JQ_BATCH() has its EXPECT_JQ()s
 * collected and run in one jq per document: when a check names another
 * document, and when the batch leaves scope (a cleanup attribute, so no
 * check is ever dropped; an ASSERT that ends the test has failed it
 * already). Each check is reported as EXPECT_JQ() would, with its line.
 * Without JQ_BATCH(), EXPECT_JQ() checks at once (file scope's
 * jq_batch_now is NULL; JQ_BATCH() declares a local one over it).
 */
struct jq_check {
	char *filter, *want;
	int line;
};

struct jq_batch {
	struct __test_metadata *md;
	char *json;		/* a copy of the document the checks read */
	struct jq_check *c;
	int n;
};

static struct jq_batch *const jq_batch_now __attribute__((unused));

/* checks the value jq @filter finds in @json against the string @want, now */
static inline void jq_expect_now(struct __test_metadata *_metadata, const char *json,
				 const char *filter, const char *want, int line)
{
	char *v = jq(json, filter);

	EXPECT_NE(NULL, v) TH_LOG("jq '%s' failed (line %d)", filter, line);
	if (v)
		EXPECT_STREQ(want, v) TH_LOG("jq '%s' (line %d)", filter, line);
	free(v);
}

/*
 * One jq over @b's document for all its checks: each filter's first
 * output, as "jq -r" prints its first line, then a NUL. When jq fails (a
 * filter that errs on this document) or the document is a stream of
 * several, every check runs on its own instead: the report names the
 * check, and a stream is read as jq_expect_now() reads it.
 */
static inline void jq_batch_run(struct jq_batch *b)
{
	struct __test_metadata *_metadata = b->md;
	char *prog = NULL, *at, *nul;
	size_t len = 0;
	struct result r;
	FILE *f;
	int i;

	if (!b->n)
		goto out;
	f = open_memstream(&prog, &len);
	if (!f)
		goto one_by_one;
	/* a stream of documents prints nothing: each check then runs alone */
	fputs("[inputs] | if length != 1 then empty else .[0] | ", f);
	for (i = 0; i < b->n; i++) {
		fprintf(f, "%s([(%s)] | if length == 0 then \"\" else .[0]", i ? ", " : "",
			b->c[i].filter);
		fputs(" | if type == \"string\" then . else tojson end end), \"\\u0000\"", f);
	}
	fputs(" end", f);
	if (fclose(f))
		goto one_by_one;
	if (run_full(&r, 0, NULL, b->json, (char *const[]){ JQ_BIN, "-nj", prog, NULL }))
		goto one_by_one;
	at = r.out;
	for (i = 0; !r.status && i < b->n; i++) {
		nul = memchr(at, '\0', r.out + r.out_len - at);
		if (!nul)
			break;
		at = nul + 1;
	}
	if (r.status || i < b->n || at != r.out + r.out_len) {
		result_free(&r);
		goto one_by_one;
	}
	for (i = 0, at = r.out; i < b->n; i++, at = nul + 1) {
		nul = at + strlen(at);
		at[strcspn(at, "\n")] = '\0';	/* the first line, as jq() keeps */
		EXPECT_STREQ(b->c[i].want, at)
			TH_LOG("jq '%s' (line %d)", b->c[i].filter, b->c[i].line);
	}
	result_free(&r);
	goto out;
one_by_one:
	for (i = 0; i < b->n; i++)
		jq_expect_now(_metadata, b->json, b->c[i].filter, b->c[i].want, b->c[i].line);
out:
	for (i = 0; i < b->n; i++) {
		free(b->c[i].filter);
		free(b->c[i].want);
	}
	free(b->c);
	free(b->json);
	free(prog);
	b->c = NULL;
	b->json = NULL;
	b->n = 0;
}

/* adds one check to @b, running those of another document first */
static inline void jq_batch_add(struct jq_batch *b, const char *json, const char *filter,
				const char *want, int line)
{
	struct __test_metadata *_metadata = b->md;
	struct jq_check *c;

	if (b->json && strcmp(b->json, json))
		jq_batch_run(b);
	c = realloc(b->c, (b->n + 1) * sizeof(*c));
	if (c)
		b->c = c;
	if (!b->json)
		b->json = strdup(json);
	if (!c || !b->json) {
		jq_expect_now(_metadata, json, filter, want, line);
		return;
	}
	c[b->n].filter = strdup(filter);
	c[b->n].want = strdup(want);
	c[b->n].line = line;
	if (!c[b->n].filter || !c[b->n].want) {
		free(c[b->n].filter);
		free(c[b->n].want);
		jq_expect_now(_metadata, json, filter, want, line);
		return;
	}
	b->n++;
}

#define JQ_BATCH()								\
	struct jq_batch jq_batch_mine __attribute__((cleanup(jq_batch_run))) =	\
		{ .md = _metadata };						\
	struct jq_batch *const jq_batch_now = &jq_batch_mine

/* checks the value jq @filter finds in @json against the string @want */
static inline void jq_expect(struct __test_metadata *_metadata, struct jq_batch *b,
			     const char *json, const char *filter, const char *want, int line)
{
	if (b)
		jq_batch_add(b, json, filter, want, line);
	else
		jq_expect_now(_metadata, json, filter, want, line);
}

#define EXPECT_JQ(json, filter, want) \
	jq_expect(_metadata, jq_batch_now, json, filter, want, __LINE__)

/* EXPECT_JQ of a number computed at run time (a size in pages) */
#define EXPECT_JQ_NUM(json, filter, num) do {					\
	char _n[32];								\
	snprintf(_n, sizeof(_n), "%llu", (unsigned long long)(num));		\
	EXPECT_JQ(json, filter, _n);						\
} while (0)

static inline int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* a failed run: its exit code, no crash, nothing on stdout, one line "vmlab: ..." */
#define EXPECT_ONE_LINE_ERROR(r, code) do {					\
	const struct result *_r = (r);						\
	EXPECT_EQ(code, _r->status) TH_LOG("stderr: %s", _r->err);		\
	EXPECT_STREQ("", _r->out);						\
	EXPECT_EQ(1, count_lines(_r->err)) TH_LOG("stderr: %s", _r->err);	\
	EXPECT_EQ(0, strncmp(_r->err, "vmlab: ", 7)) TH_LOG("%s", _r->err);	\
} while (0)

/* Reserve @pages + 2 pages PROT_NONE, make the middle @pages read-write: a VMA of its own. */
static inline char *own_vma(size_t pages)
{
	char *p = mmap(NULL, (pages + 2) * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (mprotect(p + PAGE, pages * PAGE, PROT_READ | PROT_WRITE))
		return NULL;
	return p + PAGE;
}

#endif /* VMLAB_TOOL_RUN_H */
