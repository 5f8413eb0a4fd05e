/* SPDX-License-Identifier: GPL-2.0 */
/* lab.h - "vmlab lab": the guided lessons, each also a test (lab.c) */
#ifndef VMLAB_LAB_H
#define VMLAB_LAB_H

/* vmlab lab [--list] [NAME...|all]: exit 0 all passed, 1 one failed, 2 usage */
int cmd_lab(int argc, char **argv);

#endif /* VMLAB_LAB_H */
