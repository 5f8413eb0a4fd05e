// SPDX-License-Identifier: GPL-2.0
/*
 * skip.c - a lesson that cannot run here (its kernel lacks a module or a
 * feature, or its user a right) says why instead of failing or pretending.
 */
#include <stdarg.h>
#include <stdio.h>

#include "lab.h"

void lab_skip(struct lab *lab, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(lab->skip, sizeof(lab->skip), fmt, ap);
	va_end(ap);
	if (!lab->skip[0])
		snprintf(lab->skip, sizeof(lab->skip), "cannot run here");
}
