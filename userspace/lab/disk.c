// SPDX-License-Identifier: GPL-2.0
/*
 * disk.c - what the lessons on disks and swap set up in the VM: the
 * guest's vmlab-disk (a RAM disk with ext2, zram as swap), run as root;
 * and why a lesson cannot have it (no module, no root), said as a SKIP.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab.h"

/*
 * Runs "vmlab-disk @args": 0 when it set up what was asked; else the
 * lesson is skipped with vmlab-disk's own words (it exits 4 when the
 * kernel lacks the module) and -1 is returned.
 */
int lab_disk(struct lab *lab, const char *args)
{
	char cmd[256], out[160] = "";
	size_t len;
	FILE *f;
	int status;

	if (geteuid() != 0) {
		lab_skip(lab, "it needs root, to run vmlab-disk %s", args);
		return -1;
	}
	snprintf(cmd, sizeof(cmd), "vmlab-disk %s 2>&1", args);
	fflush(stdout);
	f = popen(cmd, "r");
	if (!f) {
		lab_skip(lab, "cannot run vmlab-disk");
		return -1;
	}
	while (fgets(out, sizeof(out), f) && !strstr(out, "vmlab-disk:"))
		;
	status = pclose(f);
	if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	len = strlen(out);
	if (len && out[len - 1] == '\n')
		out[len - 1] = '\0';
	if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 127)
		lab_skip(lab, "no vmlab-disk here (the VM's disk setup)");
	else
		lab_skip(lab, "%s", out[0] ? out : "vmlab-disk failed");
	return -1;
}

/* Undoes what lab_disk() set up. */
void lab_disk_off(void)
{
	fflush(stdout);
	if (system("vmlab-disk off >/dev/null 2>&1"))
		return;
}
