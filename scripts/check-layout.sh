#!/bin/sh
# check-layout.sh - the house plan, checked on the tree and the build.
#
#   scripts/check-layout.sh [BUILD]
#
# Prints TAP (one test per rule) and exits non-zero if a rule is broken:
#   1. private headers: a part includes only its own headers and the public
#      headers of the libraries (common/, image/include/, config/include/,
#      kmod/uapi/, libckpt_user/include/); tests are exempt.
#   2. include loops: no two modules (x.c + x.h) include each other,
#      directly or through others.
#   3. call loops: no two object files call each other, directly or
#      through others (read from the objects' symbol tables, so it needs
#      a build: BUILD, default ./build).
# Documentation/layout.md says why.
set -u
BUILD=${1:-${BUILD:-build}}
cd "$(dirname "$0")/.." || exit 1

n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); fail=1; echo "not ok $n - $1"; }

# part <path>: the part a source file belongs to
part() {
	case $1 in
	common/*) echo common ;; image/*) echo image ;; config/*) echo config ;;
	daemon/*) echo daemon ;; tools/ckptctl/*) echo ckptctl ;;
	tools/ckpt-restore/*) echo ckpt-restore ;; libckpt_user/*) echo libckpt_user ;;
	kmod/uapi/*) echo uapi ;; kmod/*) echo kmod ;; *) echo other ;;
	esac
}

# the include search path of each part, after the includer's own folder
# (mk/userspace.mk, mk/restore.mk, mk/kmod.mk)
incdirs() {
	case $1 in
	common) echo "common" ;;
	image) echo "common image/include" ;;
	config) echo "common image/include config/include" ;;
	daemon) echo "common image/include config/include daemon" ;;
	ckptctl) echo "common image/include config/include" ;;
	ckpt-restore) echo "common image/include" ;;
	libckpt_user) echo "libckpt_user/include" ;;
	kmod) echo "kmod kmod/uapi" ;;
	*) echo "" ;;
	esac
}

public() {
	case $1 in
	common/*.h | image/include/* | config/include/* | kmod/uapi/* | libckpt_user/include/*) return 0 ;;
	*) return 1 ;;
	esac
}

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

# --- the include graph: "includer included" per line -----------------------
git ls-files 'common/*.[ch]' 'image/*.[ch]' 'config/*.[ch]' 'daemon/*.[ch]' \
	'tools/*.[ch]' 'libckpt_user/*.[ch]' 'kmod/*.[ch]' > "$tmp/files"
git ls-files '*.h' > "$tmp/headers"
while read -r f; do
	p=$(part "$f")
	sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f" |
		awk -v f="$f" -v dirs="$(dirname "$f") $(incdirs "$p")" '{ print f, dirs, $0 }'
done < "$tmp/files" | awk '
	# a/b/../c -> a/c
	function norm(p,    n, i, parts, out, k) {
		n = split(p, parts, "/"); k = 0
		for (i = 1; i <= n; i++) {
			if (parts[i] == "." || parts[i] == "") continue
			if (parts[i] == ".." && k > 0) { k--; continue }
			out[++k] = parts[i]
		}
		p = out[1]
		for (i = 2; i <= k; i++) p = p "/" out[i]
		return p
	}
	NR == FNR { have[$0] = 1; next }
	{
		for (i = 2; i < NF; i++) {
			c = norm($i "/" $NF)
			if (c in have) { print $1, c; break }
		}
	}' "$tmp/headers" - > "$tmp/includes"

# 1. private headers
: > "$tmp/private"
while read -r from to; do
	pf=$(part "$from"); pt=$(part "$to")
	[ "$pf" = "$pt" ] && continue
	public "$to" || echo "$from includes $to, a private header of $pt" >> "$tmp/private"
done < "$tmp/includes"
if [ -s "$tmp/private" ]; then
	sed 's/^/# /' "$tmp/private"
	notok "no part includes another part's private header"
else
	ok "no part includes another part's private header"
fi

# loops <edges> <what>: strongly connected components of more than one
# node in a graph given as "from to" lines (Tarjan's algorithm)
loops() {
	awk '
	function visit(v,    i, w) {
		idx[v] = low[v] = ++counter
		stack[++sp] = v; on[v] = 1
		for (i = 1; i <= deg[v]; i++) {
			w = adj[v, i]
			if (!(w in idx)) {
				visit(w)
				if (low[w] < low[v]) low[v] = low[w]
			} else if (on[w] && idx[w] < low[v])
				low[v] = idx[w]
		}
		if (low[v] == idx[v]) {
			comp = ""; size = 0
			do {
				w = stack[sp--]; on[w] = 0
				comp = comp " " w; size++
			} while (w != v)
			if (size > 1) { print "#" comp; found = 1 }
		}
	}
	$1 != $2 && !(($1, $2) in seen) {
		seen[$1, $2] = 1
		adj[$1, ++deg[$1]] = $2
		node[$1] = node[$2] = 1
	}
	END {
		for (v in node) if (!(v in idx)) visit(v)
		exit found
	}' "$1"
}

# 2. include loops between modules (x.c, x.h and its private x_int.h or
#    x_priv.h are one module)
sed 's/\(_int\|_priv\)\?\.[ch]\( \|$\)/\2/g' "$tmp/includes" > "$tmp/modincludes"
if loops "$tmp/modincludes" > "$tmp/incloops"; then
	ok "no include loop between modules"
else
	cat "$tmp/incloops"
	notok "no include loop between modules"
fi

# 3. call loops between object files, per program or library
calls() {
	[ $# -gt 0 ] || return 0
	nm -A --defined-only -g "$@" 2>/dev/null |
		awk '{ sub(/:.*/, "", $1); if (NF == 3) print $3, $1 }' > "$tmp/defs"
	nm -A -u "$@" 2>/dev/null | awk '{ sub(/:.*/, "", $1); print $NF, $1 }' > "$tmp/undefs"
	awk 'NR == FNR { def[$1] = $2; next } ($1 in def) { print $2, def[$1] }' \
		"$tmp/defs" "$tmp/undefs" | sed "s|$BUILD/obj/||g; s|$BUILD/kmod/[^/]*/||g; s|\.o\( \|$\)|\1|g"
}
# the objects of the tracked sources under a folder (no stale ones)
objs() {
	git ls-files "$1/*.c" | while read -r c; do
		o="$BUILD/obj/${c%.c}.o"
		[ -f "$o" ] && echo "$o"
	done
}

if [ ! -d "$BUILD/obj/daemon" ]; then
	notok "no call loop between files (no build in $BUILD: make all first)"
else
	: > "$tmp/callloops"
	for set in common image config daemon tools/ckptctl tools/ckpt-restore; do
		calls $(objs "$set") > "$tmp/calls"
		loops "$tmp/calls" >> "$tmp/callloops"
	done
	# the module, built for the first kernel that has a build
	kdir=$(ls -d "$BUILD"/kmod/*/ 2>/dev/null | head -n 1)
	if [ -n "$kdir" ]; then
		calls $(git ls-files 'kmod/*.c' | sed "s|^kmod/|${kdir}kmod/|; s|\.c$|.o|" |
			while read -r o; do [ -f "$o" ] && echo "$o"; done) > "$tmp/calls"
		loops "$tmp/calls" >> "$tmp/callloops"
	fi
	if [ -s "$tmp/callloops" ]; then
		cat "$tmp/callloops"
		notok "no call loop between files"
	else
		ok "no call loop between files"
	fi
fi
echo "1..$n"
exit $fail
