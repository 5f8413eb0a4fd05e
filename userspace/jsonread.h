/* SPDX-License-Identifier: GPL-2.0 */
/*
 * jsonread.h - a small JSON reader for the vmlab tool (vmlab diff reads the
 * documents vmlab scan --json wrote): RFC 8259 text into a tree of values.
 * Integers are kept exact as 64-bit values besides their double.
 */
#ifndef VMLAB_JSONREAD_H
#define VMLAB_JSONREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum jv_type { JV_NULL, JV_BOOL, JV_NUMBER, JV_STRING, JV_ARRAY, JV_OBJECT };

struct jv {
	enum jv_type type;
	bool boolean;
	bool is_u64;		/* a number that is a non-negative integer */
	uint64_t u64;
	double number;
	char *string;		/* JV_STRING: NUL-terminated (no NUL inside) */
	size_t n;		/* JV_ARRAY, JV_OBJECT: how many members */
	struct jv *items;	/* their values */
	char **keys;		/* JV_OBJECT: their keys */
};

/*
 * Parse the whole of @text (@len bytes) into *@root. 0, or -1 with a
 * message ("at byte N: what was expected") in @err.
 */
int jv_parse(const char *text, size_t len, struct jv *root, char *err, size_t err_size);
void jv_free(struct jv *v);

/* the member @key of object @v, or NULL (also when @v is not an object) */
const struct jv *jv_get(const struct jv *v, const char *key);
/* @v's integer into *@val: 0, or -1 when @v is not a non-negative integer */
int jv_u64(const struct jv *v, uint64_t *val);
/* @v's string, or NULL when @v is not a string */
const char *jv_str(const struct jv *v);

#endif /* VMLAB_JSONREAD_H */
