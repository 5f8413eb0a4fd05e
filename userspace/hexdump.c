// SPDX-License-Identifier: GPL-2.0
/*
 * hexdump.c - print memory exactly as "hexdump -C" prints a file
 */
#include <string.h>

#include "hexdump.h"

#define LINE 16

/*
 * Copy from a mapping that may be device memory (uncached registers answer
 * only whole, aligned words): 32-bit volatile loads where aligned, bytes at
 * the edges.
 */
static void copy_in(unsigned char *dst, const volatile unsigned char *src, size_t n)
{
	size_t i = 0;

	while (i < n && ((uintptr_t)(src + i) & 3))
		dst[i] = src[i], i++;
	for (; i + 4 <= n; i += 4) {
		uint32_t w = *(const volatile uint32_t *)(src + i);

		memcpy(dst + i, &w, 4);
	}
	for (; i < n; i++)
		dst[i] = src[i];
}

static void print_line(FILE *out, const unsigned char *b, size_t n, uint64_t off)
{
	size_t i;

	fprintf(out, "%08llx  ", (unsigned long long)off);
	for (i = 0; i < LINE; i++) {
		if (i < n)
			fprintf(out, "%02x ", b[i]);
		else
			fputs("   ", out);
		if (i == 7)
			fputc(' ', out);
	}
	fputs(" |", out);
	for (i = 0; i < n; i++)
		fputc(b[i] >= 0x20 && b[i] < 0x7f ? b[i] : '.', out);
	fputs("|\n", out);
}

void hexdump_c(FILE *out, const volatile void *mem, size_t len, uint64_t base)
{
	const volatile unsigned char *p = mem;
	unsigned char line[LINE], prev[LINE];
	int have_prev = 0, starred = 0;
	size_t done, n;

	for (done = 0; done < len; done += n) {
		n = len - done < LINE ? len - done : LINE;
		copy_in(line, p + done, n);
		/*
		 * As hexdump does, compare only the bytes read: a short last
		 * line equal to the start of the one before also gets its "*",
		 * and is printed all the same.
		 */
		if (have_prev && !memcmp(line, prev, n)) {
			if (!starred)
				fputs("*\n", out);
			starred = 1;
			if (n == LINE)
				continue;
		}
		print_line(out, line, n, base + done);
		starred = 0;
		if (n == LINE) {
			memcpy(prev, line, LINE);
			have_prev = 1;
		}
	}
	if (len)
		fprintf(out, "%08llx\n", (unsigned long long)(base + len));
}
