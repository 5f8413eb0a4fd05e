// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab tree - the page-table tree a range walk found: the tables from the
 * root down, their levels, the indexes used and the entries present, the
 * leaves folded into runs of one state; as text, JSON, a Graphviz graph, a
 * self-contained SVG or an HTML page
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "outfile.h"
#include "tree_out.h"

static void print_usage(FILE *f)
{
	fprintf(f, "usage: %s tree -p PID [OUTPUT] START END\n"
		"       %s tree -p PID [OUTPUT] START-END\n"
		"       %s tree -p PID [OUTPUT] --vma NAME\n"
		"The page-table tree a walk of [START, END) (hex, 0x optional, rounded\n"
		"out to pages), or of the VMA named NAME as in 'scan', found in process\n"
		"PID: the root table, each lower table with its\n"
		"level, the address bits its index decodes, the indexes used and the\n"
		"entries present (empty ones counted, not shown), and the leaves, huge\n"
		"ones at their level, runs of one state at consecutive indexes folded\n"
		"into one line ('PTE 0-511: 512 present, writable, anon, ...').\n"
		"  -p, --pid PID        the process: a pid ($$: the shell's) or self (vmlab\n"
		"                       itself); another process needs CAP_SYS_PTRACE\n"
		"  -V, --vma NAME[:N]   the VMAs of one mapping, as scan --vma takes them\n"
		"  -j, --json           one JSON document: {\"levels\", \"verdicts\", \"root\", ...}\n"
		"  -d, --dot            a Graphviz digraph on stdout (dot -Tsvg draws it)\n"
		"  -s, --svg FILE       a self-contained SVG of the tree into FILE\n"
		"  -H, --html FILE      one HTML page: the SVG, a table of the leaves, and\n"
		"                       the walk of each leaf, shown when it is clicked\n"
		"  -n, --max-leaves N   the pictures (dot, SVG, HTML) draw the first N runs\n"
		"                       of leaves and count the rest (default %u)\n"
		"Files are written whole or not at all. Text goes to stdout unless\n"
		"--json, --dot, --svg or --html is given.\n", prog, prog, prog, TREE_MAX_RUNS);
}

struct tree_args {
	uint32_t pid, max_runs;
	const char *vma, *svg, *html;
	bool json, dot, have_pid;
	uint64_t start, end;
	struct target tg;	/* whose tables: by pid or through /proc/PID/mem */
};

/* the options and the range; an exit code, or -1 to go on */
static int parse_args(int argc, char **argv, struct tree_args *a)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "pid", required_argument, NULL, 'p' },
		{ "vma", required_argument, NULL, 'V' },
		{ "json", no_argument, NULL, 'j' },
		{ "dot", no_argument, NULL, 'd' },
		{ "svg", required_argument, NULL, 's' },
		{ "html", required_argument, NULL, 'H' },
		{ "max-leaves", required_argument, NULL, 'n' },
		{ }
	};
	uint64_t v;
	int c, nargs;

	while ((c = getopt_long(argc, argv, "hp:V:jds:H:n:", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (parse_target(optarg, &a->pid))
				return usage_error("tree", "bad pid '%s'", optarg);
			a->have_pid = true;
			break;
		case 'n':
			if (parse_u64(optarg, &v, false) || !v || v > VMLAB_WALK_RANGE_MAX)
				return usage_error("tree", "bad number of leaves '%s' (1-%u)",
						   optarg, VMLAB_WALK_RANGE_MAX);
			a->max_runs = v;
			break;
		case 'V':
			a->vma = optarg;
			break;
		case 's':
			a->svg = optarg;
			break;
		case 'H':
			a->html = optarg;
			break;
		case 'j':
			a->json = true;
			break;
		case 'd':
			a->dot = true;
			break;
		default:
			return help_or_usage(c, "tree", argv, print_usage);
		}
	}
	if (!a->have_pid)
		return missing_pid("tree");
	if (a->json && a->dot)
		return usage_error("tree", "give --json or --dot, not both");
	nargs = argc - optind;
	if (a->vma && nargs)
		return usage_error("tree", "give START END or --vma, not both");
	if (a->vma)
		return -1;
	if (nargs == 1 && !parse_range(argv[optind], &a->start, &a->end))
		return -1;
	if (nargs == 2 && !parse_addr(argv[optind], &a->start) &&
	    !parse_addr(argv[optind + 1], &a->end) && a->end > a->start)
		return -1;
	if (!nargs)
		return usage_error("tree", "missing START END (or --vma NAME)");
	if (nargs > 2)
		return usage_error("tree", "unexpected argument '%s'", argv[optind + 2]);
	return usage_error("tree", "bad range '%s%s%s' (START END, END above START)",
			   argv[optind], nargs == 2 ? " " : "", nargs == 2 ? argv[optind + 1] : "");
}

/* the walks of the first address of the first @n runs drawn, for the HTML page */
static struct vmlab_walk *run_walks(int fd, const struct tree *t, const struct target *tg,
				    uint32_t n, uint32_t *nr)
{
	struct vmlab_walk *w = calloc(n ? n : 1, sizeof(*w));
	uint32_t i;

	*nr = 0;
	for (i = 0; w && i < t->nr_items && *nr < n; i++) {
		if (t->items[i].table != TREE_NONE)
			continue;
		if (vmlab_walk_flags(fd, tg->arg, tg->flags, t->items[i].addr, &w[*nr]))
			break;	/* gone meanwhile: the page says "(no walk)" */
		(*nr)++;
	}
	return w;
}

/* the SVG and the HTML page into their files, whole or not at all */
static int write_pictures(int fd, const struct tree *t, const struct tree_args *a,
			  struct outfile *svg, struct outfile *html)
{
	struct tree_draw d = {
		.pid = a->pid ? a->pid : (uint32_t)getpid(),
		.max_runs = a->max_runs, .standalone = true,
	};
	struct vmlab_walk *walks = NULL;
	uint32_t nr = 0;

	if (a->svg && tree_svg(svg->f, t, &d)) {
		errmsg("tree: %s", strerror(errno));
		return -1;
	}
	if (a->svg && outfile_commit(svg))
		return -1;
	if (!a->html)
		return 0;
	walks = run_walks(fd, t, &a->tg, a->max_runs, &nr);
	if (!walks || tree_html(html->f, t, &d, walks, nr)) {
		free(walks);
		errmsg("tree: %s", strerror(ENOMEM));
		return -1;
	}
	free(walks);
	return outfile_commit(html);
}

/*
 * The range: the VMA named, rounded out to pages, and met by a VMA; an exit
 * code after one line, or -1 to go on. @what gets it as "0xSTART-0xEND".
 */
static int resolve_range(int fd, struct tree_args *a, uint32_t page_size, char *what,
			 size_t size)
{
	struct vma_set v = { 0 };
	int n;

	/* the walk's own check first: no such pid, no right, no address space */
	n = target_open(fd, a->pid, &a->tg, "tree");
	if (n)
		return n;
	/* a mapping's VMAs: the range from the first one's start to the last one's end */
	if (a->vma && vmas_by_name(a->pid, a->vma, &v))
		return EXIT_FAILED;
	if (a->vma) {
		a->start = v.start;
		a->end = v.end;
		free(v.vmas);
	}
	a->start &= ~((uint64_t)page_size - 1);
	if (a->end & (page_size - 1))
		a->end = (a->end | (page_size - 1)) + 1;
	snprintf(what, size, "0x%" PRIx64 "-0x%" PRIx64, a->start, a->end);
	if (a->end <= a->start)	/* rounding up wrapped */
		return usage_error("tree", "bad range '%s'", what);
	n = vma_count(a->pid, a->start, a->end);
	if (n < 0)
		return EXIT_FAILED;
	if (!n) {
		errmsg("%s: no VMA in this range of pid %u", what,
		       a->pid ? a->pid : (uint32_t)getpid());
		return EXIT_FAILED;
	}
	return -1;
}

/* the text, JSON or dot on stdout, unless only files were asked for */
static int print_tree(const struct tree *t, const struct tree_args *a)
{
	struct tree_draw d = {
		.pid = a->pid ? a->pid : (uint32_t)getpid(), .max_runs = a->max_runs,
	};

	if (a->json) {
		tree_print_json(stdout, t, d.pid);
	} else if (a->dot) {
		if (tree_print_dot(stdout, t, &d)) {
			errmsg("tree: %s", strerror(errno));
			return EXIT_FAILED;
		}
	} else if (!a->svg && !a->html) {
		tree_print_text(stdout, t, d.pid);
	}
	return EXIT_OK;
}

int cmd_tree(int argc, char **argv)
{
	struct tree_args a = { .max_runs = TREE_MAX_RUNS, .tg = { .mem_fd = -1 } };
	struct outfile svg = { 0 }, html = { 0 };
	struct vmlab_info info;
	struct tree t = { 0 };
	char what[64];
	int fd, status;

	status = parse_args(argc, argv, &a);
	if (status >= 0)
		return status;
	fd = open_device_info(&info, &status);
	if (fd < 0)
		return status;
	status = resolve_range(fd, &a, info.page_size, what, sizeof(what));
	if (status >= 0)
		goto out;
	status = EXIT_FAILED;
	/* the files first: an unwritable path fails before the walk */
	if ((a.svg && !outfile_open(&svg, a.svg)) || (a.html && !outfile_open(&html, a.html)))
		goto out;
	status = tree_walk_range(fd, &a.tg, &info, a.start, a.end, a.svg || a.html || a.dot, &t);
	if (status)
		goto out;
	status = EXIT_FAILED;
	if (!write_pictures(fd, &t, &a, &svg, &html))
		status = print_tree(&t, &a);
out:
	outfile_abort(&svg);
	outfile_abort(&html);
	target_close(&a.tg);
	tree_free(&t);
	close(fd);
	return status;
}
