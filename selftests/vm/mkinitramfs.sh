#!/bin/sh
# mkinitramfs.sh - build the initramfs that a ckpt test guest boots from.
#
#   mkinitramfs.sh --kver KVER --out FILE [--cache DIR] [--ko FILE]
#                  [--bin DIR] [--tests DIR] [--modules "NAME ..."]
#                  [--compress none|gzip]
#
#   --kver     guest kernel version; its modules come from
#              CACHE/kernels/KVER/root (written by scripts/deps.sh)
#   --cache    cache directory (default: $CKPT_CACHE, else ./.cache)
#   --out      the newc cpio archive to write
#   --ko       our module, installed as /lib/ckpt/ckpt.ko
#   --bin      directory of userspace programs (ckptctl, ...): every
#              executable goes to /usr/bin, together with the shared
#              libraries and the ELF interpreter `ldd` lists for it
#   --tests    directory of suites, copied as a whole to /tests; a suite is
#              one subdirectory whose executables run in name order
#   --modules  kernel modules to carry; dependencies are resolved here on the
#              host, the ordered insmod list goes to /lib/ckpt/modules.load
#   --compress none (default: the guest unpacks it fastest under TCG) or gzip
#
# The image is deterministic (sorted entries, mtime 0, owner 0:0) and needs
# no root: the one device node, /dev/console, is written as a hand-made
# second cpio segment instead of being created with mknod.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
KVER= OUT= KO= BIN= TESTS= MODULES= COMPRESS=none
CACHE=${CKPT_CACHE:-$(pwd)/.cache}

die() { printf 'mkinitramfs: error: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '3,5p' "$0" | sed 's/^# *//' >&2; exit 2; }

while [ $# -gt 0 ]; do
	[ $# -ge 2 ] || usage
	case $1 in
	--kver) KVER=$2 ;;
	--cache) CACHE=$2 ;;
	--out) OUT=$2 ;;
	--ko) KO=$2 ;;
	--bin) BIN=$2 ;;
	--tests) TESTS=$2 ;;
	--modules) MODULES=$2 ;;
	--compress) COMPRESS=$2 ;;
	*) usage ;;
	esac
	shift 2
done
[ -n "$KVER" ] && [ -n "$OUT" ] || usage
case $COMPRESS in none|gzip) ;; *) die "--compress must be none or gzip" ;; esac

KROOT=$CACHE/kernels/$KVER/root
[ -d "$KROOT/lib/modules/$KVER" ] ||
	die "no modules for $KVER under $KROOT; run scripts/deps.sh (make deps)"
[ -z "$KO" ] || [ -f "$KO" ] || die "module $KO not found; build it first"
[ -z "$BIN" ] || [ -d "$BIN" ] || die "--bin $BIN is not a directory"
[ -z "$TESTS" ] || [ -d "$TESTS" ] || die "--tests $TESTS is not a directory"
BUSYBOX=$(command -v busybox) || die "busybox not found; install busybox-static"
file_is_static() { ! LC_ALL=C ldd "$1" >/dev/null 2>&1; }
file_is_static "$BUSYBOX" || die "$BUSYBOX is dynamic; install busybox-static"

umask 022
STAGE=$(mktemp -d "${TMPDIR:-/tmp}/ckpt-initramfs.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT

mkdir -p "$STAGE/bin" "$STAGE/sbin" "$STAGE/usr/bin" "$STAGE/usr/sbin" \
	"$STAGE/dev" "$STAGE/proc" "$STAGE/sys" "$STAGE/tmp" "$STAGE/run" \
	"$STAGE/root" "$STAGE/etc" "$STAGE/mnt" "$STAGE/var/tmp" \
	"$STAGE/lib/ckpt" "$STAGE/tests"
chmod 1777 "$STAGE/tmp" "$STAGE/var/tmp"
ln -s ../run "$STAGE/var/run"

# busybox and every applet as a symlink at its usual path.  The list holds
# "busybox" itself on some builds and "linuxrc" on all: linking either would
# clobber the binary or add a second init.
cp "$BUSYBOX" "$STAGE/bin/busybox"
for app in $("$BUSYBOX" --list-full); do
	case ${app##*/} in busybox|linuxrc) continue ;; esac
	ln -s /bin/busybox "$STAGE/$app"
done

install -m 0755 "$HERE/guest-init.sh" "$STAGE/init"

cat > "$STAGE/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat > "$STAGE/etc/group" <<'EOF'
root:x:0:
nogroup:x:65534:
nobody:x:65534:
EOF

[ -z "$KO" ] || install -m 0644 "$KO" "$STAGE/lib/ckpt/ckpt.ko"

# Kernel modules: modprobe resolves the dependency order against the
# unpacked image, printing "insmod PATH" per file and "builtin NAME" for what
# the kernel has built in (virtio_pci on 6.12), which needs nothing.
# Compressed modules (6.12 ships .ko.xz) are stored decompressed: busybox
# insmod first hands the raw file to finit_module, which logs "Invalid ELF
# header magic" for every compressed module before it falls back.
: > "$STAGE/lib/ckpt/modules.load"
for m in $MODULES; do
	deps=$(modprobe -d "$KROOT" -S "$KVER" --show-depends "$m" 2>&1) ||
		die "module $m not found for $KVER: $deps"
	printf '%s\n' "$deps" | while read -r kind path _; do
		[ "$kind" = insmod ] || continue
		rel=${path#"$KROOT"}
		rel=${rel%.xz}
		rel=${rel%.zst}
		grep -qxF "$rel" "$STAGE/lib/ckpt/modules.load" && continue
		mkdir -p "$STAGE${rel%/*}"
		case $path in
		*.xz) xz -dc "$path" > "$STAGE$rel" ;;
		*.zst) zstd -dcq "$path" > "$STAGE$rel" ;;
		*) cp "$path" "$STAGE$rel" ;;
		esac
		printf '%s\n' "$rel" >> "$STAGE/lib/ckpt/modules.load"
	done
done

# Dynamic userspace programs: the binary plus what the loader will look for,
# at the same absolute paths as on the build host.
copy_lib() {
	[ -e "$STAGE$1" ] && return 0
	mkdir -p "$STAGE${1%/*}"
	cp -L "$1" "$STAGE$1"
}
if [ -n "$BIN" ]; then
	for f in "$BIN"/*; do
		[ -f "$f" ] && [ -x "$f" ] || continue
		# rm first: a name that is also a busybox applet is a symlink here,
		# and cp would write through it over /bin/busybox.
		rm -f "$STAGE/usr/bin/${f##*/}"
		cp "$f" "$STAGE/usr/bin/"
		[ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" = '177ELF' ] || continue
		file_is_static "$f" && continue
		libs=$(LC_ALL=C ldd "$f" | awk '
			/not found/ { print "MISSING:" $1; next }
			$2 == "=>" && $3 ~ /^\// { print $3; next }
			$1 ~ /^\// { print $1 }')
		for l in $libs; do
			case $l in MISSING:*)
				die "$f needs ${l#MISSING:}, which ldd cannot find on this host" ;;
			esac
			copy_lib "$l"
		done
	done
fi

[ -z "$TESTS" ] || cp -R "$TESTS/." "$STAGE/tests/"

# One newc cpio entry, written by hand (no mknod, so no root needed).
# Fields are 8 hex digits; header+name and data are padded to 4 bytes.
newc_entry() { # name mode rdevmajor rdevminor ino
	namesize=$((${#1} + 1))
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		"$5" "$2" 0 0 1 0 0 0 0 "$3" "$4" "$namesize" 0
	printf '%s\000' "$1"
	pad=$(( (4 - (110 + namesize) % 4) % 4 ))
	while [ "$pad" -gt 0 ]; do printf '\000'; pad=$((pad - 1)); done
}

# Fixed timestamps and a sorted list make the archive byte-for-byte
# reproducible; --reproducible also renumbers inodes and drops device numbers.
find "$STAGE" -exec touch -h -d @0 {} +
mkdir -p "$(dirname "$OUT")"
{
	(cd "$STAGE" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --reproducible --quiet)
	newc_entry dev/console $((0020600)) 5 1 $((0x7fff0001))
	newc_entry 'TRAILER!!!' 0 0 0 0
} > "$OUT.tmp.cpio"
case $COMPRESS in
gzip) gzip -n -6 < "$OUT.tmp.cpio" > "$OUT.tmp" && rm -f "$OUT.tmp.cpio" ;;
none) mv "$OUT.tmp.cpio" "$OUT.tmp" ;;
esac
mv "$OUT.tmp" "$OUT"
