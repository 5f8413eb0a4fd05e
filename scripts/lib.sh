# shellcheck shell=bash disable=SC2034
# lib.sh - what every vmlab script shares: paths, logging, the kernel matrix,
# the loader of a kernel's kernel.env and a private apt configuration.
# Sourced, never run (its variables are used by the scripts that source it:
# hence SC2034 off).

VMLAB_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The download cache (kernels, headers, the sid chroot, apt lists) is per
# user and outside the checkout, so that a fresh clone (CI) or a second
# checkout reuses it; VMLAB_CACHE overrides. Build outputs stay in the
# checkout.
CACHE=${VMLAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmlab}
BUILD=${VMLAB_BUILD:-$VMLAB_TOP/build}

# The kernel matrix, named here only (the Makefile and .ci/run ask for these
# lists by name, see kernel_list): "make check" boots DEFAULT_KERNELS, CI
# boots CI_KERNELS, "make bench" BENCH_KERNELS, "make demo" DEMO_KERNEL.
# The debug kernels are built here from Debian's linux-source with the
# checkers on (debug-kernel.sh): "debug" from trixie's 6.12, "debug-7.2" from
# sid's 7.2; the others are Debian's own. "deb-SUITE" is not a VM of
# the project's: Debian SUITE booted as a whole system with systemd, where the
# packages (make deb) are installed, used and purged (deb-test.sh).
# "K-la57" is a shape of Debian's kernel K, not another kernel: the same
# cached files, booted from its bzImage on a CPU with 5-level paging (see
# kernel_shape). "6.1-686" and "6.1-686-pae" are Debian's 32-bit x86
# kernels of bookworm (i386: 2-level paging, and 3-level with PAE), other
# kernels with their own cache folders, module builds and i386 user space
# (kernel_arch). "6.1-arm64" is Debian bookworm's arm64 kernel (4 KiB pages,
# 48-bit VA, 4 levels), booted in qemu-system-aarch64 with arm64 user space;
# "6.12-arm64" trixie's (4 KiB pages, 52-bit VA with LPA2: 5 levels on
# QEMU's "max" CPU, which has FEAT_LPA2); "6.12-arm64-16k" trixie's
# arm64-16k flavour (16 KiB pages, 52-bit VA with LPA2: 4 levels there);
# "7.2-arm64" sid's (4 KiB pages, 52-bit VA with LPA2 as trixie's; built
# with gcc 16, its module cross-built in the sid chroot).
DEFAULT_KERNELS="6.1 6.12 7.2"
# CI runs every shape and both debug kernels once, to keep its run within
# budget: 6.1 through its three other shapes (686, 686-pae, arm64) and
# deb-bookworm, whose system runs it; 7.2 through debug-7.2, built from
# its source; 6.12 also as 6.12-la57 and 6.12-arm64 (arm64 with LPA2).
# "make check" and check-all boot 6.1 and 7.2 as they are.
# The debug kernels come first in both lists: theirs are the longest VMs
# (KASAN and lockdep under TCG), so with two VMs at a time (VMLAB_JOBS) the
# others fill the second slot around them rather than one debug VM running
# alone at the end. From an empty cache the first one's build (about 10
# minutes on two cores) has the CPU to itself, the second's shares it with
# the first VM, and the other kernels' downloads overlap the VMs.
CI_KERNELS="debug debug-7.2 6.12 6.12-la57 6.1-686 6.1-686-pae 6.1-arm64 6.12-arm64 deb-bookworm"
BENCH_KERNELS="6.12"
DEMO_KERNEL="6.12"
ALL_KERNELS="debug debug-7.2 6.1 6.12 7.2 7.3 deb-bookworm deb-trixie 6.1-la57 6.12-la57
	7.2-la57 6.1-686 6.1-686-pae 6.1-arm64 6.12-arm64 6.12-arm64-16k 7.2-arm64"

log() { printf '[vmlab] %s\n' "$*" >&2; }
die() { printf '[vmlab] error: %s\n' "$*" >&2; exit 1; }

# now_s: seconds since the epoch with milliseconds, for phase timings.
now_s() { date +%s.%N | cut -c1-14; }
# elapsed START: seconds since START, one decimal.
elapsed() { awk -v a="$1" -v b="$(now_s)" 'BEGIN { printf "%.1f", b - a }'; }
# phase NAME CMD...: run CMD, log "phase NAME: SECONDS s" (and its exit
# status when not 0), return CMD's status.
phase() {
	local t rc
	t=$(now_s)
	"${@:2}"
	rc=$?
	if [ $rc -eq 0 ]; then
		log "phase $1: $(elapsed "$t") s"
	else
		log "phase $1: $(elapsed "$t") s, failed ($rc)"
	fi
	return $rc
}

# install_missing PKG...: apt-get install the host packages of the list that
# are not installed (root; otherwise die naming the command to run).
install_missing() {
	local p absent=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep '^install ok installed$' >/dev/null ||
			absent+=("$p")
	done
	[ ${#absent[@]} -eq 0 ] && return 0
	[ "$(id -u)" = 0 ] ||
		die "missing packages: ${absent[*]} (run: sudo apt-get install ${absent[*]})"
	log "installing ${absent[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get -qq update >/dev/null
	DEBIAN_FRONTEND=noninteractive apt-get -qq install -y --no-install-recommends \
		"${absent[@]}" >/dev/null || die "apt-get install ${absent[*]} failed"
}

# kernel_shape K: the page-table shape entry K asks for: "la57" (5-level
# paging: the kernel booted from its bzImage, whose decompressor switches
# to 5 levels when the CPU has LA57; booted as vmlinux through PVH it stays
# at 4), "2level" or "pae" (Debian's i386 kernels 686 and 686-pae, booted
# from their bzImage), "lpa2" (trixie's and sid's arm64 kernels, built for 52-bit VAs:
# 5 levels on a CPU with FEAT_LPA2, which QEMU's "max" has) or nothing (the
# kernel's default, 4 levels on x86-64 and bookworm's arm64).
kernel_shape() {
	case $1 in
	*-la57) echo la57 ;;
	6.12-arm64 | 7.2-arm64) echo lpa2 ;;
	*-686-pae) echo pae ;;
	*-686) echo 2level ;;
	esac
}

# kernel_arch K: the Debian architecture of kernel K's image and of the user
# space its VM runs: i386 for the 32-bit kernels, arm64 for the ARM ones,
# else amd64.
kernel_arch() {
	case $1 in
	*-686 | *-686-pae) echo i386 ;;
	*-arm64 | *-arm64-16k) echo arm64 ;;
	*) echo amd64 ;;
	esac
}

# kernel_flavour K: the flavour of Debian's kernel package that K is (the
# -FLAVOUR of linux-headers-FLAVOUR).
kernel_flavour() {
	case $1 in
	*-686 | *-686-pae | *-arm64 | *-arm64-16k) echo "${1#*-}" ;;
	*) echo amd64 ;;
	esac
}

# static_dir K: where the static user-space binaries of K's VM are (make
# static, or make static-ARCH for a kernel of another architecture).
static_dir() {
	case $(kernel_arch "$1") in
	amd64) echo "$BUILD/static" ;;
	*) echo "$BUILD/static-$(kernel_arch "$1")" ;;
	esac
}

# kernel_base K: the kernel of entry K without its shape (6.12 for
# 6.12-la57): whose cache folder, headers and suite K uses.
kernel_base() { echo "${1%-la57}"; }

# kernel_suite K: the Debian suite that ships kernel K. A shape exists only
# of Debian's own x86-64 kernels.
kernel_suite() {
	case $1 in
	6.1-la57 | 6.12-la57 | 7.2-la57 | 7.3-la57) kernel_suite "$(kernel_base "$1")" ;;
	6.1 | 6.1-686 | 6.1-686-pae | 6.1-arm64) echo bookworm ;;
	6.12 | 6.12-arm64 | 6.12-arm64-16k) echo trixie ;;
	7.2 | 7.2-arm64) echo sid ;;
	7.3) echo experimental ;;
	debug) echo trixie ;;
	debug-7.2) echo sid ;;
	deb-bookworm) echo bookworm ;;
	deb-trixie) echo trixie ;;
	*) return 1 ;;
	esac
}

# check_kernel K: die with the list of valid names unless K is one.
check_kernel() {
	kernel_suite "$1" >/dev/null ||
		die "unknown kernel '$1' (valid: $ALL_KERNELS, or a list name: default, ci, all)"
}

# kernel_list [NAME|K...]: the kernels a command line names, checked: the
# list names "default", "ci" and "all" expand to DEFAULT_KERNELS, CI_KERNELS
# and ALL_KERNELS; no argument at all means DEFAULT_KERNELS.
kernel_list() {
	local k names=()
	[ $# -gt 0 ] || set -- default
	for k in "$@"; do
		case $k in
		default) k=$DEFAULT_KERNELS ;;
		ci) k=$CI_KERNELS ;;
		all) k=$ALL_KERNELS ;;
		*) check_kernel "$k" ;;
		esac
		names+=("$k")
	done
	echo "${names[*]}"
}

# is_debug_kernel K: K is built here (debug-kernel.sh), not Debian's.
is_debug_kernel() { case $1 in debug | debug-7.2) return 0 ;; *) return 1 ;; esac; }

# debug_source K: the package of Debian's kernel source that debug kernel K
# is built from (in kernel_suite K).
debug_source() {
	case $1 in
	debug) echo linux-source-6.12 ;;
	debug-7.2) echo linux-source-7.2 ;;
	*) return 1 ;;
	esac
}

# debug_fragments K: the config fragments of debug kernel K, in the order
# they are merged: debug.config, then the one of its source's version
# (debug-7.2.config for linux-source-7.2) when there is one.
debug_fragments() {
	local f
	f=$VMLAB_TOP/scripts/debug-$(debug_source "$1" | sed 's/^linux-source-//').config
	echo "$VMLAB_TOP/scripts/debug.config"
	[ -f "$f" ] && echo "$f"
	return 0
}

# debug_source_deb K: the newest downloaded .deb of debug_source K (fails
# when there is none yet: debug-kernel.sh downloads it).
debug_source_deb() {
	newest "$CACHE/apt/$(kernel_suite "$1")/debs/$(debug_source "$1")_"*.deb
}

# debug_key K: what debug kernel K is built from, as a short hash: the
# source package's file name, the fragments and the compiler. Each key has
# its own build folder (kernel_dir), so checkouts with other fragments
# sharing the cache never rebuild each other's kernel.
debug_key() {
	local deb f
	deb=$(debug_source_deb "$1") || deb=none
	{
		basename "$deb"
		for f in $(debug_fragments "$1"); do cat "$f"; done
		gcc -dumpfullversion
	} | sha256sum | cut -c1-12
}

# kernel_builds_on_host K: bookworm's headers (the i386 ones too: the host's
# gcc adds -m32 itself; the arm64 ones with bookworm's aarch64 cross gcc 12)
# and the debug kernels expect the host's gcc 12; the
# others need a newer gcc and glibc, found in the sid chroot (sid-chroot.sh).
kernel_builds_on_host() {
	[ "$(kernel_suite "$1")" = bookworm ] || is_debug_kernel "$1"
}

# newest FILE...: the most recently modified of the FILEs that exist (fails
# when none does)
newest() {
	local f best=
	for f in "$@"; do
		if [ -e "$f" ] && { [ -z "$best" ] || [ "$f" -nt "$best" ]; }; then
			best=$f
		fi
	done
	[ -n "$best" ] && echo "$best"
}

# kernel_dir K: the cache folder of kernel K (its kernel.env, images,
# headers), that of its base for a shape; a debug kernel's is that of its
# current key (debug_key).
kernel_dir() {
	if is_debug_kernel "$1"; then
		echo "$CACHE/kernels/$1.d/$(debug_key "$1")"
	else
		echo "$CACHE/kernels/$(kernel_base "$1")"
	fi
}

# Paths in kernel.env are relative to its own folder, so that a cache still
# works when moved or reached through another path (VMLAB_CACHE): the sid
# chroot sees only the cache, the checkout and the build folder.
KERNEL_ENV_PATHS="KDIR_COMMON KDIR_ARCH BOOT_IMAGE VMLINUX VMLINUZ"

# load_kernel_env K: set KNAME, KSUITE, KREL, KVERSION, KCC and the paths
# KDIR_COMMON, KDIR_ARCH, BOOT_IMAGE, VMLINUX (and VMLINUZ for Debian's
# kernels) from kernel K's kernel.env, the paths made absolute for where the
# cache is now. For a la57 shape and the 32-bit kernels BOOT_IMAGE is the
# bzImage (VMLINUZ). An old kernel.env (absolute paths) is read as if relative
# from kernels/K/ on; when the cache has moved since (its paths lead nowhere)
# it is rewritten with relative ones. It stays as it is otherwise, for the
# older checkouts that may share the cache. Returns 1 (with a message) when
# K is not fetched or its files are gone: fetch-kernel.sh then fetches it
# again.
load_kernel_env() {
	local kd env var val rel moved=0 base
	base=$(kernel_base "$1")
	kd=$(kernel_dir "$1")
	env=$kd/kernel.env
	[ -f "$env" ] || { log "kernel $1: not fetched (run scripts/fetch-kernel.sh $1)"; return 1; }
	KDIR_COMMON='' KDIR_ARCH='' BOOT_IMAGE='' VMLINUX='' VMLINUZ=''
	# shellcheck source=/dev/null
	. "$env"
	for var in $KERNEL_ENV_PATHS; do
		val=${!var}
		case $val in
		"") continue ;;
		/*)
			# old format: keep what follows kernels/K/ of the old path
			[ -e "$val" ] || moved=1
			rel=${val##*/kernels/"$base"/}
			[ "$rel" != "$val" ] || { log "kernel $1: $env: cannot relocate $val"; return 1; }
			val=$rel
			;;
		esac
		[ -e "$kd/$val" ] || { log "kernel $1: $env: $kd/$val is missing"; return 1; }
		printf -v "$var" '%s' "$kd/$val"
	done
	if [ $moved = 1 ]; then
		log "kernel $1: $env held the paths of a moved cache: rewriting it relative to its folder"
		sed -E "s|^([A-Z_]+=)/.*/kernels/$base/|\1|" "$env" >"$env.tmp.$$" &&
			mv "$env.tmp.$$" "$env"
	fi
	case $(kernel_shape "$1") in
	la57 | 2level | pae)
		[ -n "$VMLINUZ" ] || { log "kernel $1: $env names no VMLINUZ (a bzImage)"; return 1; }
		BOOT_IMAGE=$VMLINUZ
		;;
	esac
	return 0
}

# debian_mirror [SUITE]: the archive URI this machine's apt already uses for
# SUITE (default bookworm), so the project never names a host itself.
# DEBIAN_MIRROR / DEBIAN_SECURITY_MIRROR override.
debian_mirror() {
	local suite=${1:-bookworm} f uri
	case $suite in
	*-security) [ -n "${DEBIAN_SECURITY_MIRROR:-}" ] && { echo "$DEBIAN_SECURITY_MIRROR"; return; } ;;
	*) [ -n "${DEBIAN_MIRROR:-}" ] && { echo "$DEBIAN_MIRROR"; return; } ;;
	esac
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		uri=$(awk -v s="$suite" '
			/^[ \t]*$/ { if (ok && u) { print u; exit } ok = 0; u = "" }
			/^URIs:/ { u = $2 }
			/^Suites:/ { for (i = 2; i <= NF; i++) if ($i == s) ok = 1 }
			END { if (ok && u) print u }' "$f" | head -n 1)
		[ -n "$uri" ] && { echo "${uri%/}"; return; }
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		uri=$(awk -v s="$suite" '$1 == "deb" {
			i = 2; if ($i ~ /^\[/) while ($i !~ /\]$/) i++; if ($i ~ /\]$/ && $2 ~ /^\[/) i++
			if ($(i + 1) == s) { print $i; exit } }' "$f")
		[ -n "$uri" ] && { echo "${uri%/}"; return; }
	done
	return 1
}

KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

# apt_private SUITE[:ARCH]: set APT_OPTS to a private apt configuration
# under $CACHE/apt/SUITE, and APT_DIR to that folder; the system's sources
# and state are never touched. "SUITE:ARCH" (i386, arm64) has its own
# folder, SUITE-ARCH, with the packages of amd64 and ARCH and without the
# security suite (its i386 index was found half-synced): a foreign kernel,
# its headers and the host's kbuild all come from the suite itself, of one
# version. Takes the suite's lock, held until the calling script exits
# (apt's own locking is off there).
apt_private() {
	local suite=${1%%:*} d main sec list lockfd archs=(-o APT::Architectures::=amd64)
	d=$CACHE/apt/$suite
	if [ "$1" != "$suite" ]; then
		d=$CACHE/apt/$suite-${1#*:}
		archs+=(-o "APT::Architectures::=${1#*:}")
	fi
	main=$(debian_mirror bookworm) ||
		die "cannot find the Debian archive in /etc/apt (set DEBIAN_MIRROR)"
	list="deb [signed-by=$KEYRING] $main $suite main"
	if [ "$1" = bookworm ]; then
		sec=$(debian_mirror bookworm-security) ||
			die "cannot find bookworm-security in /etc/apt (set DEBIAN_SECURITY_MIRROR)"
		list="$list
deb [signed-by=$KEYRING] $sec bookworm-security main"
	fi
	APT_DIR=$d
	mkdir -p "$d/lists/partial" "$d/archives/partial"
	exec {lockfd}>"$d/lock"
	flock "$lockfd"
	[ "$(cat "$d/sources.list" 2>/dev/null)" = "$list" ] ||
		printf '%s\n' "$list" >"$d/sources.list"
	APT_OPTS=(-o "Dir::Etc::sourcelist=$d/sources.list"
		-o Dir::Etc::sourceparts=/dev/null
		-o "Dir::State::Lists=$d/lists"
		-o "Dir::Cache::archives=$d/archives"
		-o "Dir::Cache::pkgcache=$d/pkgcache.bin"
		-o "Dir::Cache::srcpkgcache=$d/srcpkgcache.bin"
		-o Dir::State::status=/dev/null
		-o APT::Architecture=amd64
		"${archs[@]}"
		-o Acquire::Check-Valid-Until=false
		-o Debug::NoLocking=1
		-o APT::Sandbox::User=root)
}

# apt_private_update SUITE[:ARCH]: refresh the private lists when they are
# more than an hour old (always with VMLAB_REFRESH=1); keep the old ones
# (with a warning) when the archive cannot be reached.
apt_private_update() {
	local d fresh
	apt_private "$1"
	d=$APT_DIR fresh=$APT_DIR/updated
	if [ "${VMLAB_REFRESH:-0}" != 1 ] && [ -n "$(find "$fresh" -mmin -60 2>/dev/null)" ]; then
		return 0
	fi
	if apt-get "${APT_OPTS[@]}" -qq update >"$d/update.log" 2>&1; then
		touch "$fresh"
	else
		if ls "$d/lists/"*Packages* >/dev/null 2>&1; then
			log "warning: cannot refresh the $1 package lists, using the cached ones"
		else
			cat "$d/update.log" >&2
			return 1
		fi
	fi
}

# debian_unpack ARCH DIR PKG...: Debian bookworm's ARCH packages PKG...,
# fetched with the private apt configuration and unpacked with dpkg-deb
# into DIR/root; again only when a version changes (DIR/stamp). What a
# 32-bit or arm64 guest needs that the host's packages cannot give (initramfs.sh,
# i386-libs.sh).
debian_unpack() {
	local arch=$1 d=$2 stamp p deb
	shift 2
	apt_private_update "bookworm:$arch" >&2 || die "no bookworm:$arch package lists"
	stamp=$(apt-cache "${APT_OPTS[@]}" policy "${@/%/:$arch}" | grep Candidate | tr -d ' \n')
	[ "$(cat "$d/stamp" 2>/dev/null)" = "$stamp" ] && return 0
	log "unpacking Debian's $arch $*"
	mkdir -p "$APT_DIR/debs"
	(cd "$APT_DIR/debs" && apt-get "${APT_OPTS[@]}" -qq download "${@/%/:$arch}") >&2 ||
		die "download of the $arch $* failed"
	rm -rf "$d"
	mkdir -p "$d/root"
	for p in "$@"; do
		deb=$(newest "$APT_DIR/debs/${p}_"*"_$arch.deb")
		dpkg-deb -x "$deb" "$d/root" || die "cannot unpack $deb"
	done
	printf '%s\n' "$stamp" >"$d/stamp"
}
