#!/bin/sh
# need.sh - fail early, naming the Debian package and 'make deps', when a
# build or test prerequisite is missing (instead of a compiler error later).
#
#   need.sh cmd:NAME:PACKAGE  pc:MODULE:PACKAGE  file:PATH:PACKAGE ...
set -u
miss=0
for spec in "$@"; do
	kind=${spec%%:*} rest=${spec#*:}
	what=${rest%:*} pkg=${rest##*:}
	case $kind in
	cmd)  command -v "$what" >/dev/null 2>&1 ;;
	pc)   command -v pkg-config >/dev/null 2>&1 && pkg-config --exists "$what" ;;
	file) [ -e "$what" ] ;;
	*)    echo "need.sh: bad spec '$spec'" >&2; exit 2 ;;
	esac || {
		echo "ckpt: missing $what (Debian package $pkg); run 'sudo make deps'" >&2
		miss=1
	}
done
exit $miss
