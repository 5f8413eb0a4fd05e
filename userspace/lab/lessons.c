// SPDX-License-Identifier: GPL-2.0
/*
 * lessons.c - the lessons of "vmlab lab", in the order "all" runs them and
 * --list names them: the one place a new lesson (a file of its own beside
 * this one) is registered.
 */
#include "lab.h"

const struct lesson *const lab_lessons[] = {
	&lesson_private_file,
	&lesson_shared_file,
	&lesson_private_anon,
	&lesson_shared_anon,
	&lesson_fork_cow,
	&lesson_zero_page,
	&lesson_msync,
	&lesson_device,
	&lesson_journey,
	&lesson_fork_exec,
	&lesson_munmap,
	&lesson_mmap_hint,
	&lesson_rlimit_as,
	&lesson_shm_addresses,
	&lesson_msync_flags,
	&lesson_fault_around,
	&lesson_read_mmap,
	&lesson_types,
	&lesson_disk_file,
	&lesson_swap,
	&lesson_malloc,
	&lesson_shared_lib,
};

const size_t lab_nr_lessons = ARRAY_SIZE(lab_lessons);
