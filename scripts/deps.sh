#!/bin/sh
# deps.sh - install (apt-get) and cache everything ckpt needs to build, test
# and benchmark on Debian 12.  Idempotent: a second run only checks.
#
#   CKPT_CACHE  cache directory (default: .cache in the source tree)
#
# Cache layout written here and read by the Makefile and the guest runner:
#   $CKPT_CACHE/kernels.mk                 KVER_6_1 / KVER_6_12 assignments
#   $CKPT_CACHE/kernels/<kver>/vmlinux     uncompressed ELF kernel (PVH boot)
#   $CKPT_CACHE/kernels/<kver>/root/       the extracted linux-image package
#   $CKPT_CACHE/kselftest/kselftest*.h     harness headers from linux-source-6.1
set -eu

CACHE=${CKPT_CACHE:-$(pwd)/.cache}
PKGS="build-essential pkg-config kmod cpio xz-utils zstd busybox-static
qemu-system-x86 vde2 iproute2 libnl-3-dev libnl-genl-3-dev liburing-dev
libzstd-dev libssl-dev clang libclang-rt-14-dev criu gnuplot-nox linux-headers-amd64 linux-headers-6.12-amd64"

say() { printf 'deps: %s\n' "$*"; }
die() { printf 'deps: error: %s\n' "$*" >&2; exit 1; }

missing_pkgs() {
	for p in $PKGS; do
		s=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
		[ "$s" = installed ] || printf '%s ' "$p"
	done
}

install_pkgs() {
	miss=$(missing_pkgs)
	[ -z "$miss" ] && return 0
	[ "$(id -u)" = 0 ] || die "missing packages: $miss- run 'sudo make deps'"
	say "installing: $miss"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq || die "apt-get update failed; check the Debian mirror"
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $miss >/dev/null ||
		die "apt-get install $miss failed"
}

# The versioned package a Debian meta package currently points at.
meta_kver() {
	dep=$(dpkg-query -W -f='${Depends}' "$1" 2>/dev/null | sed 's/[ ,(].*//')
	[ -n "$dep" ] || die "cannot resolve $1; run 'sudo make deps'"
	printf '%s\n' "${dep#linux-headers-}"
}

# Decompress the kernel ELF out of a bzImage: find the payload magic
# (xz for Debian's 6.1, zstd for 6.12) and try each match.
extract_vmlinux() {
	img=$1 out=$2
	for fmt in xz zstd; do
		case $fmt in
		xz)   pat='\xFD7zXZ\x00'      dec='xz -dc' ;;
		zstd) pat='\x28\xB5\x2F\xFD'  dec='zstd -dcq' ;;
		esac
		for off in $(LC_ALL=C grep -obUaP "$pat" "$img" | cut -d: -f1); do
			tail -c +"$((off + 1))" "$img" | $dec > "$out.tmp" 2>/dev/null || true
			if [ "$(head -c 4 "$out.tmp" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then
				mv "$out.tmp" "$out"
				return 0
			fi
		done
	done
	rm -f "$out.tmp"
	die "no ELF kernel found inside $img"
}

fetch_kernel() {
	kver=$1 dir=$CACHE/kernels/$1
	[ -s "$dir/vmlinux" ] && [ -f "$dir/root/lib/modules/$kver/modules.dep" ] && return 0
	say "fetching guest kernel linux-image-$kver"
	rm -rf "$dir" && mkdir -p "$dir/dl"
	(cd "$dir/dl" && apt-get download -qq "linux-image-$kver" >/dev/null 2>&1) ||
		die "apt-get download linux-image-$kver failed; run 'sudo make deps' with the Debian mirror reachable"
	dpkg-deb -x "$dir"/dl/linux-image-*.deb "$dir/root"
	depmod -b "$dir/root" "$kver"
	extract_vmlinux "$dir/root/boot/vmlinuz-$kver" "$dir/vmlinux"
	rm -rf "$dir/dl"
}

fetch_kselftest() {
	dir=$CACHE/kselftest
	[ -s "$dir/kselftest_harness.h" ] && [ -s "$dir/kselftest.h" ] && return 0
	say "fetching kselftest harness headers from linux-source-6.1"
	rm -rf "$dir" && mkdir -p "$dir/dl"
	(cd "$dir/dl" && apt-get download -qq linux-source-6.1 >/dev/null 2>&1) ||
		die "apt-get download linux-source-6.1 failed"
	dpkg-deb --fsys-tarfile "$dir"/dl/linux-source-6.1_*.deb |
		tar -xf - -C "$dir/dl" --wildcards './usr/src/linux-source-6.1.tar.xz'
	# Both headers come from the same tarball, in one pass.
	tar -xJf "$dir/dl/usr/src/linux-source-6.1.tar.xz" -C "$dir/dl" \
		--wildcards '*/tools/testing/selftests/kselftest.h' \
		'*/tools/testing/selftests/kselftest_harness.h'
	find "$dir/dl" -name 'kselftest*.h' -exec mv {} "$dir/" \;
	rm -rf "$dir/dl"
	[ -s "$dir/kselftest_harness.h" ] || die "kselftest_harness.h missing from linux-source-6.1"
}

install_pkgs
mkdir -p "$CACHE"
k61=$(meta_kver linux-headers-amd64)
k612=$(meta_kver linux-headers-6.12-amd64)
fetch_kernel "$k61"
fetch_kernel "$k612"
fetch_kselftest
printf 'KVER_6_1 := %s\nKVER_6_12 := %s\n' "$k61" "$k612" > "$CACHE/kernels.mk.tmp"
mv "$CACHE/kernels.mk.tmp" "$CACHE/kernels.mk"
say "ready (guest kernels $k61, $k612; cache $CACHE)"
