# shellcheck shell=bash
# lib.sh - what every vmlab script shares: paths, logging, the kernel matrix
# and a private apt configuration. Sourced, never run.

VMLAB_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${VMLAB_CACHE:-$VMLAB_TOP/.cache}
BUILD=${VMLAB_BUILD:-$VMLAB_TOP/build}

# The matrix: "make check" boots DEFAULT_KERNELS; KERNELS=... picks others.
# "debug" is built here from linux-source-6.12 with the checkers on
# (debug-kernel.sh); the others are Debian's own.
DEFAULT_KERNELS="6.1 6.12 7.2"
ALL_KERNELS="6.1 6.12 7.2 7.3 debug"

log() { printf '[vmlab] %s\n' "$*" >&2; }
die() { printf '[vmlab] error: %s\n' "$*" >&2; exit 1; }

# now_s: seconds since the epoch with milliseconds, for phase timings.
now_s() { date +%s.%N | cut -c1-14; }
# elapsed START: seconds since START, one decimal.
elapsed() { awk -v a="$1" -v b="$(now_s)" 'BEGIN { printf "%.1f", b - a }'; }

# kernel_suite K: the Debian suite that ships kernel K.
kernel_suite() {
	case $1 in
	6.1) echo bookworm ;;
	6.12) echo trixie ;;
	7.2) echo sid ;;
	7.3) echo experimental ;;
	debug) echo trixie ;;
	*) return 1 ;;
	esac
}

# check_kernel K: die with the list of valid names unless K is one.
check_kernel() {
	kernel_suite "$1" >/dev/null ||
		die "unknown kernel '$1' (valid: $ALL_KERNELS)"
}

# kernel_builds_on_host K: bookworm's headers and the debug kernel expect the
# host's gcc 12; the others need a newer gcc and glibc, found in the sid
# chroot (sid-chroot.sh).
kernel_builds_on_host() { [ "$1" = 6.1 ] || [ "$1" = debug ]; }

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

# apt_private SUITE: set APT_OPTS to a private apt configuration under
# $CACHE/apt/SUITE; the system's sources and state are never touched. Takes
# the suite's lock, held until the calling script exits (apt's own locking
# is off there).
apt_private() {
	local suite=$1 d=$CACHE/apt/$1 main sec list lockfd
	main=$(debian_mirror bookworm) ||
		die "cannot find the Debian archive in /etc/apt (set DEBIAN_MIRROR)"
	list="deb [signed-by=$KEYRING] $main $suite main"
	if [ "$suite" = bookworm ]; then
		sec=$(debian_mirror bookworm-security) ||
			die "cannot find bookworm-security in /etc/apt (set DEBIAN_SECURITY_MIRROR)"
		list="$list
deb [signed-by=$KEYRING] $sec bookworm-security main"
	fi
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
		-o Acquire::Check-Valid-Until=false
		-o Debug::NoLocking=1
		-o APT::Sandbox::User=root)
}

# apt_private_update SUITE: refresh the private lists when they are more than
# an hour old (always with VMLAB_REFRESH=1); keep the old ones (with a
# warning) when the archive cannot be reached.
apt_private_update() {
	local fresh=$CACHE/apt/$1/updated
	apt_private "$1"
	if [ "${VMLAB_REFRESH:-0}" != 1 ] && [ -n "$(find "$fresh" -mmin -60 2>/dev/null)" ]; then
		return 0
	fi
	if apt-get "${APT_OPTS[@]}" -qq update >"$CACHE/apt/$1/update.log" 2>&1; then
		touch "$fresh"
	else
		if ls "$CACHE/apt/$1/lists/"*Packages* >/dev/null 2>&1; then
			log "warning: cannot refresh the $1 package lists, using the cached ones"
		else
			cat "$CACHE/apt/$1/update.log" >&2
			return 1
		fi
	fi
}
