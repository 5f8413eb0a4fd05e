/* SPDX-License-Identifier: GPL-2.0 */
/*
 * walk_fixture.h - the fixture "walk" of walk.c and walk_abi.c: an open
 * /dev/vmlab and its INFO. One definition for both files, so that their
 * tests share the fixture's name (walk.*) and set-up.
 */
#ifndef VMLAB_WALK_FIXTURE_H
#define VMLAB_WALK_FIXTURE_H

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "libvmlab.h"

FIXTURE(walk) {
	int fd;
	struct vmlab_info info;
};

FIXTURE_SETUP(walk)
{
	self->fd = vmlab_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", VMLAB_DEVICE, strerror(errno));
	ASSERT_EQ(0, vmlab_info(self->fd, &self->info));
}

FIXTURE_TEARDOWN(walk)
{
	close(self->fd);
}

#endif /* VMLAB_WALK_FIXTURE_H */
