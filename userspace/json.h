/* SPDX-License-Identifier: GPL-2.0 */
/*
 * json.h - a small streaming JSON writer for the vmlab tool's --json output
 * and vmlab-bench's:
 * one document, two-space indentation (or one line: compact), numbers as numbers, strings escaped
 * per RFC 8259. Members take a key; array elements pass NULL.
 */
#ifndef VMLAB_JSON_H
#define VMLAB_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json {
	FILE *out;
	int depth;
	bool empty[JSON_MAX_DEPTH];	/* nothing written yet at that depth */
	bool compact;	/* all on one line, no spaces (set after json_init) */
};

void json_init(struct json *j, FILE *out);
void json_object_begin(struct json *j, const char *key);
void json_object_end(struct json *j);
void json_array_begin(struct json *j, const char *key);
void json_array_end(struct json *j);
void json_string(struct json *j, const char *key, const char *val);	/* NULL: null */
void json_u64(struct json *j, const char *key, uint64_t val);
void json_i64(struct json *j, const char *key, int64_t val);
/* @val with six significant digits ("%.6g"); null when not finite */
void json_double(struct json *j, const char *key, double val);
/* @val as a "0x..." string: exact where a double (jq) would round */
void json_hex(struct json *j, const char *key, uint64_t val);
void json_bool(struct json *j, const char *key, bool val);
/* a string array of the names of the bits set in @flags */
void json_flags(struct json *j, const char *key, uint32_t flags,
		const char *(*name)(unsigned int bit));
/* after the outermost value: the final newline */
void json_end(struct json *j);

#endif /* VMLAB_JSON_H */
