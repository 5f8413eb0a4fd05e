#!/usr/bin/env bash
# run-vm.sh K MODE - boot kernel K's vmlinux with its initramfs in QEMU.
#
# A la57 entry (K-la57, lib.sh's kernel_shape) boots K's bzImage instead
# (its decompressor turns 5-level paging on; a vmlinux entered through PVH
# stays at 4 levels) on a CPU with LA57, under TCG unless VMLAB_ACCEL says
# otherwise. The guest is told the paging levels it must find,
# VMLAB_EXPECT_LEVELS: 5 for a la57 entry and for 6.12-arm64 and 7.2-arm64
# (LPA2: their 52-bit VAs take a fifth level on -cpu max), else 4
# (selftests/la57.c fails when the kernel runs with another number).
# A 32-bit kernel (6.1-686: 2 levels, 6.1-686-pae: 3) boots its bzImage in
# qemu-system-i386 on a 32-bit CPU with NX (used with PAE only) and PSE-36
# (without it QEMU's qemu32 has 32 physical address bits, while the kernel
# assumes PAE's 36 and q35 puts the ivshmem BAR at 4 GiB: a PTE mapping it
# faulted as "Corrupted page table"), under TCG,
# with 2 GiB of memory by default (more than the kernel's lowmem: user
# pages and PTE tables in highmem) and no 1 GiB hugetlb pages (no such
# size there).
# An arm64 kernel (6.1-arm64, 6.12-arm64, 6.12-arm64-16k, 7.2-arm64) boots
# its Image in qemu-system-aarch64 on QEMU's virt machine with -cpu max,
# under TCG (the 16 KiB kernel with 4 levels: 52-bit VAs). That machine has one serial
# port (the kernel's console) and no isa-debug-exit: the TAP (and a run's
# output) goes through a virtio console (hvc0, vmlab_tap=hvc0 tells /init),
# the verdict through semihosting (vm-exit.c).
#
# MODE check: no console; the guest's TAP goes to $BUILD/K/tap.log (second
#   serial port, echoed here as it arrives), the kernel console to
#   $BUILD/K/console.log. Exit 0 when the guest reports a pass, 1 when it
#   reports a fail, 2 when it crashed, hung (VMLAB_TIMEOUT, default 600 s,
#   1800 s for the debug kernels and arm64) or
#   powered off without a verdict; then the last 50 console lines are shown.
# MODE bench: as check, with vmlab-bench instead of the selftests: its
#   output in $BUILD/K/bench.log (bench.sh cuts the tables out of it);
#   VMLAB_BENCH_REPS, _SIZE, _ONLY and VMLAB_PERF reach the guest.
#   3 GiB of memory and a 1800 s timeout by default.
# MODE demo, shell: the serial console on this terminal.
# MODE run CMD: boot, run CMD with sh -c (vmlab.ko loaded, in /host when the
#   share is there, else /root), print its output (stdout and stderr, as it
#   comes, byte for byte), power off and exit with CMD's status. When the VM
#   itself fails (a panic, a hang, no status) the last console lines are
#   shown and the exit status is 125. "make vm-run" is this mode.
# Every mode but bench shares the host folder VMLAB_SHARE (default lab/ in
# the checkout, made when missing) at /host in the guest, read-write, over
# virtio-9p ("-virtfs local", security_model=none: a file the guest's root
# writes belongs on the host to whoever runs QEMU, with the mode the guest
# gave it, so that user reads, edits and deletes it; guest-side ownership
# is not kept). VMLAB_SHARE= (empty) boots without it. /init loads the 9p
# modules fetch-kernel.sh gathered; a kernel without them says so and boots
# without the share.
# VMLAB_MEM: the guest's memory (default 1G; 5G for check but on the debug
# kernels: two 1 GiB pages free above 4 GiB, where q35 puts all but 2 GiB;
# 3G for bench).
# Every mode but bench gives the guest an ivshmem-plain PCI device
# (VMLAB_IVSHMEM=0: none) whose 2 MiB BAR2 is a file under /dev/shm that the
# host fills with its pattern before boot and checks after
# (scripts/ivshmem.sh): in check mode its TAP goes to tap.log too, and a
# failure fails the run.
#
# KVM where /dev/kvm boots the kernel (VMLAB_ACCEL=auto, the default: probed
# once per machine by kvm-probe.sh), else TCG, software emulation;
# VMLAB_ACCEL=tcg or kvm forces one. Only boots: preparing the kernel is
# prepare-kernel.sh's job, reading the results check.sh's and bench.sh's.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage="usage: run-vm.sh KERNEL check|bench|demo|shell, or run-vm.sh KERNEL run CMD"
[ $# -ge 2 ] || die "$usage"
K=$1 mode=$2
check_kernel "$K"
case $mode in
check | bench | demo | shell) [ $# -eq 2 ] || die "$usage" ;;
run) { [ $# -eq 3 ] && [ -n "$3" ]; } || die "$usage (CMD: the line the guest runs)" ;;
*) die "unknown mode '$mode' (check, bench, demo, shell or run)" ;;
esac
# the tests reserve two 1 GiB hugetlb pages, the benchmarks walk 1 GiB
mem=${VMLAB_MEM:-1G}
# (not for the debug kernels: KASAN and kmemleak run far slower with 5 GiB)
case $mode in check) is_debug_kernel "$K" || mem=${VMLAB_MEM:-5G} ;; bench) mem=${VMLAB_MEM:-3G} ;; esac
load_kernel_env "$K" || die "kernel $K: run scripts/fetch-kernel.sh $K"
initrd=$BUILD/$K/initramfs.cpio
[ -f "$initrd" ] || die "kernel $K: no $initrd (run scripts/initramfs.sh $K)"
# what to remove when this script ends
cleanup=()
trap 'rm -rf "${cleanup[@]}"' EXIT
if [ "$mode" = run ]; then
	# the command goes in as a file of a second cpio archive after the
	# initramfs (the kernel unpacks both): any text, no quoting; the
	# command's output and the console in files of this run's own
	tmp=$(mktemp -d "$BUILD/$K/run-XXXXXX")
	cleanup+=("$tmp")
	mkdir -p "$tmp/cpio/lib/vmlab"
	printf '%s\n' "$3" >"$tmp/cpio/lib/vmlab/cmd"
	{
		cat "$initrd"
		(cd "$tmp/cpio" && find . | LC_ALL=C sort | cpio --quiet -o -H newc)
	} >"$tmp/initramfs.cpio"
	initrd=$tmp/initramfs.cpio
	out=$tmp/output
	console=$tmp/console.log
fi

# qboot: a firmware that boots straight into the kernel (a vmlinux through
# PVH, or a bzImage), silent and quick
# QEMU's default CPU with 1 GiB pages (pdpe1gb), for PUD leaves; with LA57
# (5-level paging) for a la57 entry, whose BOOT_IMAGE is the bzImage
# (the levels the guest must find: selftests/la57.c checks them)
cpu=qemu64,+pdpe1gb levels=4 system=qemu-system-x86_64
case $(kernel_shape "$K") in
la57) cpu=qemu64,+la57,+pdpe1gb levels=5 ;;
lpa2) levels=5 ;;
2level) cpu=qemu32,+nx,+pse36 levels=2 system=qemu-system-i386 ;;
pae) cpu=qemu32,+nx,+pse36 levels=3 system=qemu-system-i386 ;;
esac
machine=(-machine q35 -bios qboot.rom) console_dev=ttyS0
# shellcheck disable=SC2054 # QEMU's option values hold commas
exit_dev=(-device isa-debug-exit,iobase=0xf4,iosize=0x04)
if [ "$(kernel_arch "$K")" = arm64 ]; then
	# (pointer authentication's architected QARMA5 is slow under TCG: QEMU's
	# own algorithm does the same job quicker)
	cpu=max,pauth-impdef=on system=qemu-system-aarch64 machine=(-machine virt)
	console_dev=ttyAMA0
	# shellcheck disable=SC2054 # QEMU's option values hold commas
	exit_dev=(-semihosting-config enable=on,target=native,userspace=on)
	# no KVM for another architecture
	VMLAB_ACCEL=${VMLAB_ACCEL:-tcg}
	export VMLAB_ACCEL
fi
if [ $levels != 4 ]; then
	# KVM gives the guest only what the host CPU has
	VMLAB_ACCEL=${VMLAB_ACCEL:-tcg}
	export VMLAB_ACCEL
fi
if [ "$(kernel_arch "$K")" = i386 ] && [ -z "${VMLAB_MEM:-}" ]; then
	mem=1G
	[ "$mode" = check ] || [ "$mode" = bench ] && mem=2G
fi
VMLAB_EXPECT_LEVELS=${VMLAB_EXPECT_LEVELS:-$levels}
# shellcheck disable=SC2054 # QEMU's option values hold commas
qemu=("$system" "${machine[@]}" -cpu "$cpu" -smp 2 -m "$mem" -no-reboot -nodefaults
	-kernel "$BOOT_IMAGE" -initrd "$initrd" "${exit_dev[@]}")
# no_timer_check: a loaded host makes the IO-APIC timer check fail at boot
# ("IO-APIC + timer doesn't work!", a panic) under TCG
cmdline="console=$console_dev panic=-1 oops=panic no_timer_check"
# tap_dev FILE: set tap_opts to the QEMU options that make FILE the guest's
# TAP channel (the second serial port, ttyS1, or on arm64 the virtio
# console hvc0, which vmlab_tap=hvc0 tells /init; the modes without that
# channel, demo and shell, have no such device, and /init does not wait
# for it)
tap_dev() {
	if [ "$console_dev" = ttyAMA0 ]; then
		# shellcheck disable=SC2054 # QEMU's option values hold commas
		tap_opts=(-device virtio-serial-pci -chardev "file,id=vmlab-tap,path=$1"
			-device virtconsole,chardev=vmlab-tap)
		cmdline+=" vmlab_tap=hvc0"
	else
		tap_opts=(-serial "file:$1")
	fi
}
ivshmem=
if [ "${VMLAB_IVSHMEM:-1}" = 1 ] && [ "$mode" != bench ]; then
	ivshmem=$(mktemp "/dev/shm/vmlab-$K-XXXXXX")
	cleanup+=("$ivshmem")
	"$VMLAB_TOP/scripts/ivshmem.sh" fill "$ivshmem"
	# shellcheck disable=SC2054 # QEMU's option values hold commas
	qemu+=(-object "memory-backend-file,id=vmlab-shm,share=on,mem-path=$ivshmem,size=2M"
		-device ivshmem-plain,memdev=vmlab-shm)
	# with 16 KiB pages the kernel packs ivshmem's 256-byte register BAR
	# into a page with other BARs (vmlab offers no such BAR: ENXIO); its
	# own page, as with 4 KiB pages, by the kernel's resource alignment
	# (a page when no order is given)
	[ "$(kernel_flavour "$K")" = arm64-16k ] && cmdline+=" pci=resource_alignment=pci:1af4:1110"
fi
# the host folder at /host (not for the benchmarks: nothing of theirs is
# there to measure)
share=${VMLAB_SHARE-$VMLAB_TOP/lab}
if [ -n "$share" ] && [ "$mode" != bench ]; then
	mkdir -p "$share" || die "VMLAB_SHARE: cannot create $share"
	share=$(cd "$share" && pwd)
	# QEMU's option syntax: a comma in a value is written twice
	# shellcheck disable=SC2054 # QEMU's option values hold commas
	qemu+=(-virtfs "local,path=${share//,/,,},mount_tag=host,security_model=none,id=host")
	cmdline+=" vmlab_share=1"
	[ "$mode" = run ] || log "host folder $share at /host in the guest"
fi
# VMLAB_DEBUG_SECONDS (CI: 60) is the stress and fuzz time on a debug
# kernel, unless VMLAB_STRESS_SECONDS or VMLAB_FUZZ_SECONDS say otherwise
if is_debug_kernel "$K" && [ -n "${VMLAB_DEBUG_SECONDS:-}" ]; then
	VMLAB_STRESS_SECONDS=${VMLAB_STRESS_SECONDS:-$VMLAB_DEBUG_SECONDS}
	VMLAB_FUZZ_SECONDS=${VMLAB_FUZZ_SECONDS:-$VMLAB_DEBUG_SECONDS}
fi
# test knobs reach the guest's environment: the kernel hands NAME=value
# arguments it does not know to init
for var in VMLAB_FUZZ_SEED VMLAB_FUZZ_SECONDS VMLAB_STRESS_SECONDS VMLAB_SELFTESTS \
	VMLAB_BENCH_REPS VMLAB_BENCH_SIZE VMLAB_BENCH_ONLY VMLAB_PERF VMLAB_EXPECT_LEVELS; do
	[ -n "${!var:-}" ] && cmdline="$cmdline $var=${!var}"
done

accel=$("$VMLAB_TOP/scripts/kvm-probe.sh" "${qemu[@]}" -append "$cmdline quiet")
qemu+=(-accel "$accel")
# the benchmarks say what they ran on
[ "$mode" = bench ] && cmdline+=" VMLAB_ACCEL_USED=${qemu[-1]%%,*}"

# the guest's verdict: QEMU exits 1 for a pass, 3 for a fail
verdict() {
	case $1 in
	1) return 0 ;;
	3) return 1 ;;
	*) return 2 ;;
	esac
}

if [ "$mode" = run ]; then
	# its output goes to the guest's ttyS1 (hvc0), a TTY even when ours is not
	[ -t 1 ] || cmdline+=" NO_COLOR=1"
	: >"$out"
	tap_dev "$out"
	set +e
	timeout --kill-after=5 "${VMLAB_TIMEOUT:-600}" "${qemu[@]}" -display none \
		-serial "file:$console" "${tap_opts[@]}" \
		-append "$cmdline quiet vmlab_mode=run" &
	pid=$!
	tail -n +1 -f --pid=$pid "$out" 2>/dev/null &
	tailpid=$!
	wait $pid
	rc=$?
	wait $tailpid
	set -e
	# what /init said about the host folder (no 9p modules, no mount)
	tr -d '\r' <"$console" | grep '^vmlab: .*/host' >&2 || true
	# the guest's /init writes the command's status on the console last
	status=$(tr -d '\r' <"$console" | sed -n 's/^vmlab-run: status \([0-9]*\)$/\1/p' | tail -n 1)
	if [ "$rc" = 1 ] && [ -n "$status" ]; then
		exit "$status"
	fi
	case $rc in
	124 | 137) why="hung: the command did not end within ${VMLAB_TIMEOUT:-600} s" ;;
	*) why="the VM ended without the command's status (QEMU exited with $rc)" ;;
	esac
	log "kernel $K: $why; last 50 console lines:"
	tail -n 50 "$console" | tr -d '\r' | sed 's/^/    /' >&2
	exit 125
fi

if [ "$mode" = demo ] || [ "$mode" = shell ]; then
	# the guest's console is a TTY even when ours is not: say so (the
	# kernel hands NAME=VALUE parameters it does not know to /init's
	# environment)
	[ -t 1 ] || cmdline+=" NO_COLOR=1"
	set +e
	"${qemu[@]}" -nographic -serial mon:stdio -append "$cmdline quiet vmlab_mode=$mode"
	rc=$?
	if [ -n "$ivshmem" ]; then
		log "what the guest left in the ivshmem file:"
		"$VMLAB_TOP/scripts/ivshmem.sh" check "$ivshmem" || [ "$mode" = shell ] || rc=3
	fi
	verdict $rc
	exit
fi

# two 1 GiB hugetlb pages for the PUD-leaf tests, reserved at boot: later
# the buddy allocator rarely finds 1 GiB in one piece
hugepages=
# (arm64 with 4 KiB pages has them too: PUD blocks)
# (not with 16 KiB pages: no PUD leaves there, its 1 GiB pages are
# contiguous PMDs)
[ "$mode" = check ] && ! is_debug_kernel "$K" && [ "$(kernel_arch "$K")" != i386 ] &&
	[ "$(kernel_flavour "$K")" != arm64-16k ] && hugepages=" hugepagesz=1G hugepages=2"
console=$BUILD/$K/console.log
tap=$BUILD/$K/tap.log
[ "$mode" = bench ] && tap=$BUILD/$K/bench.log
: >"$tap"
tap_dev "$tap"
# the debug kernels run everything several times slower (KASAN, lockdep)
default_timeout=600
is_debug_kernel "$K" || [ "$mode" = bench ] && default_timeout=1800
# (and an arm64 guest, all of it emulated instruction by instruction)
[ "$(kernel_arch "$K")" = arm64 ] && default_timeout=1800
timeout=${VMLAB_TIMEOUT:-$default_timeout}
set +e
timeout --kill-after=5 "$timeout" "${qemu[@]}" -display none \
	-serial "file:$console" "${tap_opts[@]}" \
	-append "$cmdline$hugepages vmlab_mode=$mode" &
pid=$!
tail -n +1 -f --pid=$pid "$tap" 2>/dev/null | tr -d '\r' &
tailpid=$!
wait $pid
rc=$?
wait $tailpid # tail --pid ends within a second of QEMU
# the host's half of the ivshmem test, counted with the guest's TAP
if [ -n "$ivshmem" ] && { [ $rc -eq 1 ] || [ $rc -eq 3 ]; }; then
	"$VMLAB_TOP/scripts/ivshmem.sh" check "$ivshmem" >"$ivshmem.tap" || rc=3
	tee -a "$tap" <"$ivshmem.tap"
	rm -f "$ivshmem.tap"
fi
set -e
verdict $rc && exit 0
case $rc in
3) exit 1 ;;
124 | 137) why="hung: no verdict within ${timeout} s" ;;
0) why="the guest powered off or panicked without a verdict" ;;
*) why="QEMU exited with $rc" ;;
esac
log "kernel $K: $why; last 50 console lines:"
tail -n 50 "$console" | tr -d '\r' | sed 's/^/    /' >&2
exit 2
