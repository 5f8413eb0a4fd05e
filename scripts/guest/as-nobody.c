// SPDX-License-Identifier: GPL-2.0
/*
 * as-nobody - run a command as the unprivileged user nobody (uid and gid
 * 65534, no supplementary groups, no capabilities): the VM's way to check
 * what vmlab lets an ordinary user do.
 *
 *	as-nobody COMMAND [ARGS...]
 */
#define _GNU_SOURCE
#include <grp.h>
#include <stdio.h>
#include <unistd.h>

#define NOBODY 65534

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: as-nobody COMMAND [ARGS...]\n");
		return 2;
	}
	if (setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY)) {
		perror("as-nobody: dropping privileges");
		return 126;
	}
	execvp(argv[1], argv + 1);
	perror("as-nobody: exec");
	return 127;
}
