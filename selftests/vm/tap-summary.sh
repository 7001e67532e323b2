#!/bin/sh
# tap-summary.sh - totals over flat TAP files written by vm.sh.
#
#   tap-summary.sh FILE...
#
# One count line per file, the failed and skipped lines by name, and as the
# very last line exactly "N passed, N failed".  Skipped results ("ok ... #
# SKIP") count as neither.  Exit status 1 if anything failed or if no
# result was found at all (an empty run is not a pass), else 0.
set -eu

[ $# -gt 0 ] || { echo "usage: tap-summary.sh FILE..." >&2; exit 2; }
for f in "$@"; do
	[ -r "$f" ] || { echo "tap-summary: cannot read $f (did its vm.sh run happen?)" >&2; exit 1; }
done

LC_ALL=C awk '
	function result(line, ok,   skip, todo) {
		skip = (line ~ /#[ \t]*[Ss][Kk][Ii][Pp]/)
		todo = (line ~ /#[ \t]*[Tt][Oo][Dd][Oo]/)
		if (ok && skip) {
			fskip[FILENAME]++; skipped[++nskip] = line
		} else if (ok || todo) {
			fpass[FILENAME]++
		} else {
			ffail[FILENAME]++; failed[++nfailed] = line
		}
	}
	BEGIN {
		for (i = 1; i < ARGC; i++) {
			files[++nfiles] = ARGV[i]; list = list " " ARGV[i]
		}
	}
	/^ok([ \t]|$)/ { result($0, 1); next }
	/^not ok([ \t]|$)/ { result($0, 0); next }
	END {
		for (i = 1; i <= nfiles; i++) {
			f = files[i]
			printf "%s: %d passed, %d failed, %d skipped\n", f,
				fpass[f], ffail[f], fskip[f]
			pass += fpass[f]; fail += ffail[f]
		}
		if (nfailed > 0) {
			printf "%d failed:\n", nfailed
			for (i = 1; i <= nfailed; i++) print "  " failed[i]
		}
		if (nskip > 0) {
			printf "%d skipped:\n", nskip
			for (i = 1; i <= nskip; i++) print "  " skipped[i]
		}
		if (pass + fail + nskip == 0)
			print "no test results found in:" list
		printf "%d passed, %d failed\n", pass, fail
		exit (fail > 0 || pass + fail + nskip == 0) ? 1 : 0
	}' "$@"
