// SPDX-License-Identifier: GPL-2.0
/*
 * json.c - the JSON writer of the vmlab tool and vmlab-bench (see json.h)
 */
#include <inttypes.h>
#include <math.h>

#include "json.h"

void json_init(struct json *j, FILE *out)
{
	j->out = out;
	j->depth = 0;
	j->empty[0] = true;
	j->compact = false;
}

static void put_string(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', out);
	for (; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		default:
			if (*p < 0x20)
				fprintf(out, "\\u%04x", *p);
			else
				fputc(*p, out);
		}
	}
	fputc('"', out);
}

/* the separator, indentation and key before a value */
static void start_value(struct json *j, const char *key)
{
	if (j->depth > 0 && j->compact) {
		if (!j->empty[j->depth])
			fputc(',', j->out);
	} else if (j->depth > 0) {
		fputs(j->empty[j->depth] ? "\n" : ",\n", j->out);
		fprintf(j->out, "%*s", 2 * j->depth, "");
	}
	j->empty[j->depth] = false;
	if (key) {
		put_string(j->out, key);
		fputs(j->compact ? ":" : ": ", j->out);
	}
}

static void open_container(struct json *j, const char *key, char c)
{
	start_value(j, key);
	fputc(c, j->out);
	if (j->depth + 1 < JSON_MAX_DEPTH)
		j->depth++;
	j->empty[j->depth] = true;
}

static void close_container(struct json *j, char c)
{
	bool was_empty = j->empty[j->depth];

	if (j->depth > 0)
		j->depth--;
	if (!was_empty && !j->compact)
		fprintf(j->out, "\n%*s", 2 * j->depth, "");
	fputc(c, j->out);
}

void json_object_begin(struct json *j, const char *key)
{
	open_container(j, key, '{');
}

void json_object_end(struct json *j)
{
	close_container(j, '}');
}

void json_array_begin(struct json *j, const char *key)
{
	open_container(j, key, '[');
}

void json_array_end(struct json *j)
{
	close_container(j, ']');
}

void json_string(struct json *j, const char *key, const char *val)
{
	start_value(j, key);
	if (val)
		put_string(j->out, val);
	else
		fputs("null", j->out);
}

void json_u64(struct json *j, const char *key, uint64_t val)
{
	start_value(j, key);
	fprintf(j->out, "%" PRIu64, val);
}

void json_i64(struct json *j, const char *key, int64_t val)
{
	start_value(j, key);
	fprintf(j->out, "%" PRId64, val);
}

void json_double(struct json *j, const char *key, double val)
{
	start_value(j, key);
	if (isfinite(val))
		fprintf(j->out, "%.6g", val);
	else
		fputs("null", j->out);
}

void json_hex(struct json *j, const char *key, uint64_t val)
{
	start_value(j, key);
	fprintf(j->out, "\"0x%" PRIx64 "\"", val);
}

void json_bool(struct json *j, const char *key, bool val)
{
	start_value(j, key);
	fputs(val ? "true" : "false", j->out);
}

void json_flags(struct json *j, const char *key, uint32_t flags,
		const char *(*name)(unsigned int bit))
{
	char buf[16];
	unsigned int bit;

	json_array_begin(j, key);
	for (bit = 0; bit < 32; bit++) {
		const char *n;

		if (!(flags & (1U << bit)))
			continue;
		n = name(bit);
		if (!n) {
			snprintf(buf, sizeof(buf), "bit%u", bit);
			n = buf;
		}
		json_string(j, NULL, n);
	}
	json_array_end(j);
}

void json_end(struct json *j)
{
	fputc('\n', j->out);
}
