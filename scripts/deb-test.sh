#!/usr/bin/env bash
# deb-test.sh [SUITE...] - the packaged test: boot a Debian system (bookworm
# by default; trixie too) made by deb-image.sh in QEMU with systemd as PID 1,
# and let scripts/guest/run-deb-test install the .debs of $BUILD/deb (make
# deb) with apt, load the module DKMS built, add a second kernel's headers
# (SUITE-backports', when it has a kernel: second_kernel below), run the
# lab as a student and as root, purge and look for leftovers. The host
# folder VMLAB_SHARE (default lab/) is at /host in the guest, as in
# run-vm.sh's VMs (deb-lib.sh's deb_share_qemu).
#
# The image stays pristine: the guest writes to a qcow2 overlay (thrown
# away, so cache=unsafe: the guest's flushes cost nothing); the debs and the
# test script reach it on a second, read-only disk. TAP arrives on
# the second serial port in $BUILD/deb-SUITE/tap.log, the console in
# console.log. Each suite counts as a kernel entry "deb-SUITE" with the
# project's TAP counter (tap-count.awk). Ends with "N passed, N failed,
# N skipped"; exit 1 when anything failed. TCG (the packaged kernel is
# Debian's bzImage); VMLAB_TIMEOUT (default 2400 s) per boot.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/deb-lib.sh"

suites=${*:-bookworm}
debs=$BUILD/deb
ls "$debs"/vmlab-dkms_*_all.deb "$debs"/vmlab_*_amd64.deb >/dev/null 2>&1 ||
	die "no packages in $debs (run make deb)"
command -v qemu-img >/dev/null || die "no qemu-img (apt-get install qemu-utils)"

# second_kernel SUITE DIR: the headers of SUITE-backports' kernel, as a
# kernel upgrade brings them, downloaded into DIR for the guest to install:
# DKMS must build vmlab for that kernel too. Only what building needs: the
# headers package and the dependencies of that kernel's own (the -common
# headers, linux-kbuild, on 7.x linux-base-RELEASE; the image has the
# rest: gcc, linux-base, and a newer linux-base than backports' would be a
# downgrade), not the kernel image: its ~100 MB unpack and initramfs would
# take many minutes under TCG. The headers' dependency on the image is met
# by a stub, second-kernel-stub, that provides it (made here with
# dpkg-deb). Fails when SUITE has no backports kernel.
second_kernel() {
	local hdr abi deps dep ver pkgs=() image=
	apt_private_update "$1-backports" || return 1
	hdr=$(apt-cache "${APT_OPTS[@]}" depends linux-headers-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-headers-[^ ]*-amd64\)$/\1/p' | head -n 1)
	[ -n "$hdr" ] || return 1
	abi=${hdr#linux-headers-}
	abi=${abi%-amd64}
	ver=$(apt-cache "${APT_OPTS[@]}" show "$hdr" | sed -n 's/^Version: //p' | head -n 1)
	deps=$(apt-cache "${APT_OPTS[@]}" depends "$hdr" |
		sed -n 's/^ *|\{0,1\}Depends: \([^ <]*\)$/\1/p') || return 1
	for dep in $deps; do
		case $dep in
		linux-image-*) [ -n "$image" ] || image=$dep ;;
		*"$abi"*) pkgs+=("$dep") ;;
		esac
	done
	mkdir -p "$2" "$2.stub/DEBIAN"
	(cd "$2" && apt-get "${APT_OPTS[@]}" -qq download "$hdr" "${pkgs[@]}") || return 1
	if [ -n "$image" ]; then
		cat >"$2.stub/DEBIAN/control" <<-EOF
			Package: second-kernel-stub
			Version: 1
			Architecture: all
			Maintainer: vmlab tests <nobody@invalid>
			Provides: $image (= $ver)
			Description: stands in for $image in vmlab's deb test
			 The test installs that kernel's headers only; this meets their
			 dependency on the kernel image.
		EOF
		dpkg-deb -Zgzip -b "$2.stub" "$2/second-kernel-stub.deb" >/dev/null || return 1
	fi
	rm -rf "$2.stub"
}

total_p=0 total_f=0 total_s=0
summary=()
for suite in $suites; do
	t=$(now_s)
	img=$("$VMLAB_TOP/scripts/deb-image.sh" "$suite") || {
		total_f=$((total_f + 1))
		summary+=("kernel deb-$suite: image failed, not booted: 0 passed, 1 failed")
		continue
	}
	log "deb-$suite: image ready in $(elapsed "$t") s"
	w=$BUILD/deb-$suite
	# only what this run makes: check.sh keeps this entry's check.out
	# (the output of a VM run beside another) and check.result here
	rm -rf "$w/disk" "$w/test.ext4" "$w/root.qcow2" "$w/console.log" "$w/tap.log" \
		"$w/times.before" "$w/times.after" "$w/result"
	mkdir -p "$w/disk"
	cp "$debs"/vmlab-dkms_*_all.deb "$debs"/vmlab_*_amd64.deb "$w/disk/"
	install -m 0755 "$VMLAB_TOP/scripts/guest/run-deb-test" "$w/disk/"
	t=$(now_s)
	# in a subshell: the suite's apt lock (apt_private) is let go at once,
	# not held by QEMU for the whole boot
	if (second_kernel "$suite" "$w/disk/second"); then
		log "deb-$suite: second kernel's headers ready in $(elapsed "$t") s"
	else
		rm -rf "$w/disk/second"
		log "deb-$suite: no kernel in $suite-backports: the guest skips the second kernel"
	fi
	mkfs.ext4 -q -F -L vmlab-test -d "$w/disk" "$w/test.ext4" \
		"$(($(du -sm "$w/disk" | cut -f1) * 3 / 2 + 32))M" >&2 || die "deb-$suite: mkfs.ext4 failed"
	qemu-img create -q -f qcow2 -b "$img/root.ext4" -F raw "$w/root.qcow2" || die "deb-$suite: qemu-img failed"
	: >"$w/tap.log"
	t=$(now_s)
	log "deb-$suite: booting $(cat "$img/release") (TCG)"
	# two vCPUs on two host threads (thread=multi): DKMS builds with make
	# -j2, dpkg and the kernel's work overlap. The initramfs VMs keep
	# thread=single (FACTS: 7.2 oopsed early in 3 of 28 multi-threaded
	# boots); Debian's 6.1 and 6.12 here boot with it
	deb_share_qemu
	# the CPU seconds of the children so far (the shell's own "times",
	# not a subshell's): the VM's share is the difference after it
	times >"$w/times.before"
	timeout --kill-after=5 "${VMLAB_TIMEOUT:-2400}" \
		qemu-system-x86_64 -machine q35 -accel tcg,thread=multi -cpu qemu64 -smp 2 -m 2G \
		-no-reboot -nodefaults -display none -nic none \
		-kernel "$img/vmlinuz" -initrd "$img/initrd.img" \
		-append "root=/dev/vda rw console=ttyS0 panic=-1 vmlab_deb_test$SHARE_CMDLINE" \
		-drive "file=$w/root.qcow2,if=virtio,format=qcow2,cache=unsafe" \
		-drive "file=$w/test.ext4,if=virtio,format=raw,readonly=on" "${SHARE_QEMU[@]}" \
		-serial "file:$w/console.log" -serial "file:$w/tap.log" &
	pid=$!
	tail -n +1 -f --pid=$pid "$w/tap.log" 2>/dev/null | tr -d '\r' &
	tailpid=$!
	# the guest powers off after its last line; should it hang there, it
	# gets 60 s before QEMU is stopped
	done_at=
	while kill -0 $pid 2>/dev/null; do
		if [ -z "$done_at" ]; then
			grep -q '^# vmlab: done' "$w/tap.log" && done_at=$SECONDS
		elif [ $((SECONDS - done_at)) -gt 60 ]; then
			log "deb-$suite: the guest did not power off 60 s after its verdict: stopping QEMU"
			kill $pid
		fi
		sleep 2
	done
	wait $pid
	rc=$?
	wait $tailpid 2>/dev/null
	boot=$(elapsed "$t")
	times >"$w/times.after"
	# QEMU's CPU seconds: less dependent on the host's load than the wall time
	cpu=$(awk 'FNR == 2 { split($1, u, "m"); split($2, y, "m")
		c[FILENAME] = u[1] * 60 + u[2] + y[1] * 60 + y[2] }
		END { printf "%d", c[ARGV[2]] - c[ARGV[1]] }' "$w/times.before" "$w/times.after")
	# where the VM's time went: the guest's boot and each check (its
	# "# vmlab: time N s: WHAT" lines), the rest is the power-off
	awk -v vm="$boot" -v s="deb-$suite" '
		/^# vmlab: time / { sub(/^# vmlab: time /, ""); n = $1 + 0; sum += n
			if (n >= 2) printf "[vmlab] %s: %4d s  %s\n", s, n, substr($0, index($0, ": ") + 2) }
		/^# vmlab: DKMS for / { printf "[vmlab] %s:         %s\n", s, substr($0, 10) }
		END { printf "[vmlab] %s: %4d s  the rest (QEMU start, power-off), of VM %d s\n", s, vm - sum, vm }
	' "$w/tap.log" >&2
	log "deb-$suite: QEMU used $cpu s of CPU in the VM's $boot s (host load $(cut -d' ' -f1-3 /proc/loadavg))"
	read -r p f s < <(awk -f "$VMLAB_TOP/scripts/tap-count.awk" "$w/tap.log")
	note=
	if ! grep -q '^# vmlab: done' "$w/tap.log"; then
		f=$((f + 1))
		note=" (the guest did not finish, QEMU rc $rc)"
		tail -n 40 "$w/console.log" >&2
	fi
	rm -f "$w/root.qcow2"
	total_p=$((total_p + p)) total_f=$((total_f + f)) total_s=$((total_s + s))
	summary+=("kernel deb-$suite: $(cat "$img/release"), VM ${boot} s: $p passed, $f failed, $s skipped$note")
	# for check.sh: the counts and the summary line
	printf '%s %s %s %s\n' "$p" "$f" "$s" "${summary[-1]}" >"$w/result"
done

log "==== summary"
printf '%s\n' "${summary[@]}"
echo "$total_p passed, $total_f failed, $total_s skipped"
[ "$total_f" -eq 0 ]
