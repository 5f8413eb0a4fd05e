// SPDX-License-Identifier: GPL-2.0
/*
 * quiz.c - predict, then observe (vmlab lab --quiz): before each walk a
 * lesson shows, the student says what it will show, the verdict and,
 * where the address was shown mapped before, whether the frame will be
 * the same; the line then shows the kernel's answer, and each lesson ends
 * with the score. On a terminal the questions are asked there; otherwise
 * the answers come from a file (--answers FILE, for an instructor to
 * grade): one line per question-bearing walk, "VERDICT" or "VERDICT same"
 * / "VERDICT new", blank lines and "#" comments skipped. The whole file is
 * read first: a word that is not an answer names its line before any
 * lesson runs; a line that does not fit its question (a frame answer
 * missing or not asked for, too few or too many lines) stops the quiz
 * there, naming the line. Either is exit status 2.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"

#define QUIZ_LINE	256

/* the verdicts' names, one line, for the prompts and the errors */
static const char *verdict_list(void)
{
	static char list[256];
	size_t len = 0;
	unsigned int v;

	for (v = 0; vmlab_verdict_name(v) && len < sizeof(list); v++)
		len += snprintf(list + len, sizeof(list) - len, "%s%s", v ? ", " : "",
				vmlab_verdict_name(v));
	return list;
}

/* the verdict named @word (or numbered, 0 up), -1 if none is */
static int verdict_of(const char *word)
{
	char *end;
	long n;
	int v;

	for (v = 0; vmlab_verdict_name(v); v++)
		if (!strcmp(word, vmlab_verdict_name(v)))
			return v;
	n = strtol(word, &end, 10);
	if (*word && !*end && n >= 0 && n < v)
		return n;
	return -1;
}

/* "same" 0, "new" 1, else -1 */
static int frame_of(const char *word)
{
	return !strcmp(word, "same") ? 0 : !strcmp(word, "new") ? 1 : -1;
}

/*
 * One line of answers into @a: its words, checked; 0, 1 for a line with
 * nothing to say, or -1 after saying what is wrong with it (@where
 * names the line).
 */
static int parse_answer(char *s, struct quiz_answer *a, const char *where)
{
	char *word[3] = { }, *save = NULL;
	int n = 0;

	s[strcspn(s, "#\n")] = '\0';
	for (word[0] = strtok_r(s, " \t\r", &save); word[n] && n < 2;)
		word[++n] = strtok_r(NULL, " \t\r", &save);
	if (!n)
		return 1;
	if (word[2]) {
		errmsg("%s: '%s': one verdict and at most same or new", where, word[2]);
		return -1;
	}
	a->verdict = verdict_of(word[0]);
	if (a->verdict < 0) {
		errmsg("%s: '%s' is not a verdict (%s)", where, word[0], verdict_list());
		return -1;
	}
	a->frame = word[1] ? frame_of(word[1]) : -1;
	if (word[1] && a->frame < 0) {
		errmsg("%s: '%s' is neither same nor new", where, word[1]);
		return -1;
	}
	return 0;
}

int quiz_load(struct quiz *q, const char *path)
{
	char buf[QUIZ_LINE], where[4096 + 32];
	struct quiz_answer a, *more;
	unsigned int line = 0;
	FILE *f;
	int ret = 0, r;

	f = fopen(path, "r");
	if (!f) {
		errmsg("lab: --answers %s: %s", path, strerror(errno));
		return -1;
	}
	q->path = path;
	while (!ret && fgets(buf, sizeof(buf), f)) {
		line++;
		snprintf(where, sizeof(where), "lab: answers %s: line %u", path, line);
		if (!strchr(buf, '\n') && !feof(f)) {
			errmsg("%s: longer than %d characters", where, QUIZ_LINE - 2);
			ret = -1;
			break;
		}
		r = parse_answer(buf, &a, where);
		if (r < 0)
			ret = -1;
		if (r)
			continue;
		a.line = line;
		more = realloc(q->answers, (q->nr_answers + 1) * sizeof(*more));
		if (!more) {
			errmsg("lab: answers %s: %s", path, strerror(ENOMEM));
			ret = -1;
			break;
		}
		q->answers = more;
		q->answers[q->nr_answers++] = a;
	}
	if (!ret && ferror(f)) {
		errmsg("lab: answers %s: %s", path, strerror(errno));
		ret = -1;
	}
	fclose(f);
	return ret;
}

int quiz_finish(struct quiz *q, bool ran)
{
	int ret = 0;

	fflush(stdout);
	if (ran && !q->bad && q->path && q->next < q->nr_answers) {
		errmsg("lab: answers %s: line %u: more answers than questions (%u)", q->path,
		       q->answers[q->next].line, q->next);
		ret = -1;
	}
	free(q->answers);
	q->answers = NULL;
	return ret;
}

/* the frame a walk shows, in @frame: false when there is none to compare */
static bool frame_shown(const struct vmlab_walk *w, __u64 *frame)
{
	if (!(w->leaf_flags & VMLAB_PTE_PRESENT))
		return false;
	if (!(w->walk_flags & VMLAB_WALK_PFN_HIDDEN)) {
		*frame = w->pfn;
		return true;
	}
	*frame = w->frame_token;
	return w->walk_flags & VMLAB_WALK_FRAME_TOKEN;
}

/* the last walk shown of @w's page with a frame, or NULL */
static const struct quiz_seen *last_seen(const struct quiz *q, const struct vmlab_walk *w)
{
	unsigned int i;

	for (i = q->nr_seen; i--;)
		if (q->seen[i].addr == (w->addr & ~(PG - 1)))
			return &q->seen[i];
	return NULL;
}

/* On a terminal: asks until the answer is one; -1 at the end of input. */
static int ask_tty(const char *prompt, const char *choices, int (*parse)(const char *))
{
	char buf[QUIZ_LINE], *s;
	int v;

	for (;;) {
		printf("  ? %s (%s): ", prompt, choices);
		fflush(stdout);
		if (!fgets(buf, sizeof(buf), stdin))
			return -1;
		s = buf + strspn(buf, " \t");
		s[strcspn(s, " \t\r\n")] = '\0';
		v = parse(s);
		if (v >= 0)
			return v;
		printf("    '%s' is not one of them\n", s);
	}
}

/* From the file: the next answer, fitting a question with or without a frame. */
static int ask_file(struct quiz *q, const char *label, bool frame, struct quiz_answer *a)
{
	fflush(stdout);		/* the lines so far before the error's */
	if (q->next == q->nr_answers) {
		errmsg("lab: answers %s: no answer for \"%s\" (question %u: the file has %u)",
		       q->path, label, q->next + 1, q->nr_answers);
		return -1;
	}
	*a = q->answers[q->next++];
	if (frame && a->frame < 0) {
		errmsg("lab: answers %s: line %u: \"%s\" %s", q->path, a->line, label,
		       "also asks whether the frame is the same: add same or new");
		return -1;
	}
	if (!frame && a->frame >= 0) {
		errmsg("lab: answers %s: line %u: \"%s\" %s", q->path, a->line, label,
		       "asks only for the verdict (its page was not shown mapped before)");
		return -1;
	}
	printf("  ? %s: %s%s%s (line %u)\n", label, vmlab_verdict_name(a->verdict),
	       frame ? " " : "", frame ? (a->frame ? "new" : "same") : "", a->line);
	return 0;
}

void quiz_ask(struct quiz *q, const char *label, const struct vmlab_walk *w)
{
	const struct quiz_seen *was = last_seen(q, w);
	char prompt[128];

	q->asking = false;
	if (q->bad)
		return;
	/* the frame question: whenever this page was shown mapped before */
	q->frame_asked = was;
	if (q->path) {
		if (ask_file(q, label, q->frame_asked, &q->now)) {
			q->bad = true;
			return;
		}
	} else {
		snprintf(prompt, sizeof(prompt), "\"%s\": the verdict?", label);
		q->now.verdict = ask_tty(prompt, "a verdict, or its number", verdict_of);
		q->now.frame = -1;
		if (q->now.verdict >= 0 && q->frame_asked) {
			snprintf(prompt, sizeof(prompt), "the frame as in \"%s\"?", was->label);
			q->now.frame = ask_tty(prompt, "same or new", frame_of);
		}
		if (q->now.verdict < 0 || (q->frame_asked && q->now.frame < 0)) {
			errmsg("lab: quiz: no answer for \"%s\" (end of input)", label);
			q->bad = true;
			return;
		}
	}
	q->asking = true;
}

void quiz_mark(struct quiz *q, const char *label, const struct vmlab_walk *w)
{
	const struct quiz_seen *was = last_seen(q, w);
	struct quiz_seen *s;
	bool right, same;
	__u64 frame;

	if (q->asking) {
		q->asked++;
		right = q->now.verdict == (int)w->verdict;
		q->right += right;
		printf("    verdict: %s%s%s", right ? colour(C_GOOD) : colour(C_BAD),
		       right ? "right" : "wrong", colour(C_RESET));
		if (!right)
			printf(" (you said %s)", vmlab_verdict_name(q->now.verdict));
		if (q->frame_asked) {
			same = frame_shown(w, &frame) && frame == was->frame;
			right = q->now.frame == !same;
			q->asked++;
			q->right += right;
			printf("; frame %s: %s%s%s", same ? "same" : "new",
			       right ? colour(C_GOOD) : colour(C_BAD), right ? "right" : "wrong",
			       colour(C_RESET));
		}
		putchar('\n');
	}
	q->asking = false;
	if (!frame_shown(w, &frame) || q->nr_seen == ARRAY_SIZE(q->seen))
		return;
	s = &q->seen[q->nr_seen++];
	s->addr = w->addr & ~(PG - 1);
	s->frame = frame;
	snprintf(s->label, sizeof(s->label), "%s", label);
}

void quiz_lesson(struct quiz *q)
{
	q->nr_seen = 0;
	q->lesson_asked = q->asked;
	q->lesson_right = q->right;
}

void quiz_score(const struct quiz *q)
{
	printf("  %squiz:%s %u of %u right\n", colour(C_BOLD), colour(C_RESET),
	       q->right - q->lesson_right, q->asked - q->lesson_asked);
}
