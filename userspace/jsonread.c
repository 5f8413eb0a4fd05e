// SPDX-License-Identifier: GPL-2.0
/*
 * jsonread.c - the vmlab tool's JSON reader (see jsonread.h): a recursive
 * descent over RFC 8259, nesting limited to JSON_READ_MAX_DEPTH.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonread.h"

#define JSON_READ_MAX_DEPTH 64

struct parser {
	const char *s;
	size_t len, pos;
	char *err;
	size_t err_size;
};

static int fail(struct parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int fail(struct parser *p, const char *fmt, ...)
{
	int n = snprintf(p->err, p->err_size, "at byte %zu: ", p->pos);
	va_list ap;

	if (n < 0 || (size_t)n >= p->err_size)
		return -1;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->err_size - n, fmt, ap);
	va_end(ap);
	return -1;
}

static void skip_space(struct parser *p)
{
	while (p->pos < p->len && strchr(" \t\r\n", p->s[p->pos]))
		p->pos++;
}

static int peek(struct parser *p)
{
	skip_space(p);
	return p->pos < p->len ? (unsigned char)p->s[p->pos] : -1;
}

static int parse_literal(struct parser *p, const char *word)
{
	size_t n = strlen(word);

	if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n))
		return fail(p, "expected %s", word);
	p->pos += n;
	return 0;
}

/* one UTF-8 sequence for code point @c at @out: its length */
static size_t put_utf8(char *out, unsigned int c)
{
	if (c < 0x80) {
		out[0] = c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = 0xc0 | (c >> 6);
		out[1] = 0x80 | (c & 0x3f);
		return 2;
	}
	if (c < 0x10000) {
		out[0] = 0xe0 | (c >> 12);
		out[1] = 0x80 | ((c >> 6) & 0x3f);
		out[2] = 0x80 | (c & 0x3f);
		return 3;
	}
	out[0] = 0xf0 | (c >> 18);
	out[1] = 0x80 | ((c >> 12) & 0x3f);
	out[2] = 0x80 | ((c >> 6) & 0x3f);
	out[3] = 0x80 | (c & 0x3f);
	return 4;
}

static int hex4(struct parser *p, unsigned int *c)
{
	unsigned int i, v = 0;
	int d;

	if (p->len - p->pos < 4)
		return fail(p, "short \\u escape");
	for (i = 0; i < 4; i++) {
		d = p->s[p->pos + i];
		if (d >= '0' && d <= '9')
			d -= '0';
		else if (d >= 'a' && d <= 'f')
			d -= 'a' - 10;
		else if (d >= 'A' && d <= 'F')
			d -= 'A' - 10;
		else
			return fail(p, "bad \\u escape");
		v = v << 4 | d;
	}
	p->pos += 4;
	*c = v;
	return 0;
}

/* a string at p->pos (its opening quote) into a new buffer *@out */
static int parse_string(struct parser *p, char **out)
{
	/* escapes only shrink: the rest of the text is room enough */
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	char *buf = malloc(p->len - p->pos + 1), *o = buf;
	const char *esc;
	unsigned int c, lo;

	if (!buf)
		return fail(p, "%s", strerror(ENOMEM));
	p->pos++;
	while (p->pos < p->len && p->s[p->pos] != '"') {
		c = (unsigned char)p->s[p->pos++];
		if (c < 0x20)
			goto bad_char;
		if (c != '\\') {
			*o++ = c;
			continue;
		}
		if (p->pos == p->len)
			break;
		c = (unsigned char)p->s[p->pos++];
		esc = c ? strchr(from, c) : NULL;
		if (esc) {
			*o++ = to[esc - from];
			continue;
		}
		if (c != 'u') {
			fail(p, "bad escape '\\%c'", c);
			goto out_free;
		}
		if (hex4(p, &c))
			goto out_free;
		if (c >= 0xd800 && c < 0xdc00) {	/* a surrogate pair */
			if (p->len - p->pos < 2 || memcmp(p->s + p->pos, "\\u", 2)) {
				fail(p, "lone surrogate");
				goto out_free;
			}
			p->pos += 2;
			if (hex4(p, &lo))
				goto out_free;
			if (lo < 0xdc00 || lo >= 0xe000) {
				fail(p, "bad surrogate pair");
				goto out_free;
			}
			c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
		}
		if (!c) {
			fail(p, "\\u0000 in a string");
			goto out_free;
		}
		o += put_utf8(o, c);
	}
	if (p->pos == p->len) {
		fail(p, "unterminated string");
		goto out_free;
	}
	p->pos++;
	*o = '\0';
	*out = buf;
	return 0;
bad_char:
	p->pos--;
	fail(p, "control character in a string");
out_free:
	free(buf);
	return -1;
}

static int parse_number(struct parser *p, struct jv *v)
{
	const char *start = p->s + p->pos, *q = start;
	char buf[64], *end;
	size_t n;

	if (*q == '-')
		q++;
	while (q < p->s + p->len && strchr("0123456789+-.eE", *q))
		q++;
	n = q - start;
	if (!n || n >= sizeof(buf))
		return fail(p, "bad number");
	memcpy(buf, start, n);
	buf[n] = '\0';
	errno = 0;
	v->number = strtod(buf, &end);
	if (*end || end == buf)
		return fail(p, "bad number");
	v->type = JV_NUMBER;
	if (buf[0] != '-' && !strpbrk(buf, ".eE")) {
		errno = 0;
		v->u64 = strtoull(buf, &end, 10);
		v->is_u64 = !errno && !*end;
	}
	p->pos += n;
	return 0;
}

static int parse_value(struct parser *p, struct jv *v, int depth);

/* the members of an array or object, after its opening bracket */
static int parse_members(struct parser *p, struct jv *v, int depth, bool object)
{
	size_t max = 0;
	void *more;
	int c;

	p->pos++;
	if (peek(p) == (object ? '}' : ']')) {
		p->pos++;
		return 0;
	}
	for (;;) {
		if (v->n == max) {
			max = max ? 2 * max : 8;
			more = realloc(v->items, max * sizeof(*v->items));
			if (!more)
				return fail(p, "%s", strerror(ENOMEM));
			v->items = more;
			if (object) {
				more = realloc(v->keys, max * sizeof(*v->keys));
				if (!more)
					return fail(p, "%s", strerror(ENOMEM));
				v->keys = more;
			}
		}
		memset(&v->items[v->n], 0, sizeof(v->items[0]));
		if (object) {
			if (peek(p) != '"')
				return fail(p, "expected a key");
			if (parse_string(p, &v->keys[v->n]))
				return -1;
			if (peek(p) != ':') {
				free(v->keys[v->n]);
				return fail(p, "expected ':'");
			}
			p->pos++;
		}
		v->n++;		/* counted now: jv_free frees its key and value */
		if (parse_value(p, &v->items[v->n - 1], depth + 1))
			return -1;
		c = peek(p);
		p->pos++;
		if (c == ',')
			continue;
		if (c == (object ? '}' : ']'))
			return 0;
		p->pos--;
		return fail(p, "expected ',' or '%c'", object ? '}' : ']');
	}
}

static int parse_value(struct parser *p, struct jv *v, int depth)
{
	int c = peek(p);

	memset(v, 0, sizeof(*v));
	if (depth > JSON_READ_MAX_DEPTH)
		return fail(p, "nested deeper than %d", JSON_READ_MAX_DEPTH);
	switch (c) {
	case '{':
		v->type = JV_OBJECT;
		return parse_members(p, v, depth, true);
	case '[':
		v->type = JV_ARRAY;
		return parse_members(p, v, depth, false);
	case '"':
		v->type = JV_STRING;
		return parse_string(p, &v->string);
	case 't':
		v->type = JV_BOOL;
		v->boolean = true;
		return parse_literal(p, "true");
	case 'f':
		v->type = JV_BOOL;
		return parse_literal(p, "false");
	case 'n':
		return parse_literal(p, "null");
	case -1:
		return fail(p, "unexpected end");
	default:
		if (c == '-' || (c >= '0' && c <= '9'))
			return parse_number(p, v);
		return fail(p, "unexpected '%c'", c);
	}
}

int jv_parse(const char *text, size_t len, struct jv *root, char *err, size_t err_size)
{
	struct parser p = { .s = text, .len = len, .err = err, .err_size = err_size };

	if (parse_value(&p, root, 0))
		goto out_free;
	if (peek(&p) != -1) {
		fail(&p, "text after the document");
		goto out_free;
	}
	return 0;
out_free:
	jv_free(root);
	return -1;
}

void jv_free(struct jv *v)
{
	size_t i;

	for (i = 0; i < v->n; i++) {
		jv_free(&v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->string);
	memset(v, 0, sizeof(*v));
}

const struct jv *jv_get(const struct jv *v, const char *key)
{
	size_t i;

	if (!v || v->type != JV_OBJECT)
		return NULL;
	for (i = 0; i < v->n; i++)
		if (!strcmp(v->keys[i], key))
			return &v->items[i];
	return NULL;
}

int jv_u64(const struct jv *v, uint64_t *val)
{
	if (!v || v->type != JV_NUMBER || !v->is_u64)
		return -1;
	*val = v->u64;
	return 0;
}

const char *jv_str(const struct jv *v)
{
	return v && v->type == JV_STRING ? v->string : NULL;
}
