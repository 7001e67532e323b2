# results-tap.awk - turn one guest's results port log into flat TAP lines.
#
# Input: results.log, framed by guest-init.sh as
#   ### begin NAME / <the program's TAP> / ### end NAME status=N time=Ss
#   ... / ### suite done
# Output: unnumbered lines "ok DESC" / "not ok DESC" / "# comment"; the
# caller numbers them.  DESC is "KVER nodeI NAME: the test's description".
# Variables: kver, node, timeout (the guest's per-test limit, seconds),
# death (why the guest stopped, used for a program that never ended).
#
# Only top-level "ok"/"not ok" lines of a program count (nested, indented
# TAP and "#" lines are diagnostics).  A program also fails when it exits
# non-zero without reporting a failure, prints no results, does not match
# its plan, times out, or never reaches its "### end" line.
# mawk-compatible: no gensub, no match() arrays.

function reset_test(name) {
	test = name; intest = 1
	nres = 0; nfail = 0; planned = -1; skipall = ""; nring = 0
}

# The last few non-result lines, shown under a failure as its diagnostics.
function keep(line) {
	if (line ~ /^[ \t]*$/)
		return
	ring[nring % 10] = line
	nring++
}

function show_ring(   i, start) {
	start = nring > 10 ? nring - 10 : 0
	for (i = start; i < nring; i++)
		print "#   " ring[i % 10]
	nring = 0
}

function emit(ok, desc, directive) {
	print (ok ? "ok " : "not ok ") kver " node" node " " test \
		(desc != "" ? ": " desc : "") (directive != "" ? " # " directive : "")
}

function fail(why) {
	emit(0, why, "")
	show_ring()
}

function result(line,   isnot, rest, desc, dir) {
	isnot = (line ~ /^not ok/)
	rest = substr(line, isnot ? 7 : 3)
	sub(/^[ \t]+/, "", rest)
	sub(/^[0-9]+[ \t]*/, "", rest)
	sub(/^-[ \t]+/, "", rest)
	desc = rest; dir = ""
	if (match(rest, /[ \t]*#[ \t]*([Ss][Kk][Ii][Pp]|[Tt][Oo][Dd][Oo])/)) {
		desc = substr(rest, 1, RSTART - 1)
		dir = substr(rest, RSTART + RLENGTH - 4)
		sub(/^[ \t]*#[ \t]*/, "", dir)
		dir = toupper(substr(dir, 1, 4)) substr(dir, 5)
	}
	nres++
	emit(!isnot, desc, dir)
	if (isnot && dir !~ /^TODO/) {
		nfail++
		show_ring()
	}
	nring = 0
}

function signame(st) {
	if (st == 124) return " (timed out)"
	if (st == 129) return " (SIGHUP)"
	if (st == 130) return " (SIGINT)"
	if (st == 131) return " (SIGQUIT)"
	if (st == 132) return " (SIGILL)"
	if (st == 134) return " (SIGABRT)"
	if (st == 135) return " (SIGBUS)"
	if (st == 136) return " (SIGFPE)"
	if (st == 137) return " (SIGKILL)"
	if (st == 139) return " (SIGSEGV)"
	if (st == 141) return " (SIGPIPE)"
	if (st == 143) return " (SIGTERM)"
	if (st == 159) return " (SIGSYS)"
	return ""
}

function end_test(line,   st, t) {
	st = line
	sub(/.* status=/, "", st)
	sub(/[^0-9].*/, "", st)
	st = st + 0
	t = line
	if (t ~ / time=/) { sub(/.* time=/, "", t); sub(/[ \t].*/, "", t) } else t = "?"
	if (st == 124) {
		fail("timed out after " timeout " s (killed by the guest's per-test limit) after reporting " nres " result(s)")
	} else if (nres == 0 && (st == 4 || (st == 0 && planned == 0))) {
		# KSFT_SKIP (4) or "1..0 # SKIP why": the whole program skipped.
		emit(1, "", "SKIP " (skipall != "" ? skipall : "exit status 4 (KSFT_SKIP)"))
	} else if (st != 0 && st != 4 && nfail == 0) {
		fail("exited with status " st signame(st) " after reporting " nres " ok result(s)")
	} else if (nres == 0) {
		fail("printed no TAP result lines (exit status " st ")")
	} else if (planned >= 0 && planned != nres && nfail == 0) {
		fail("planned " planned " results but reported " nres)
	}
	intest = 0
	ntests++
}

function output(line) {
	if (line ~ /^(not )?ok([ \t]|$)/) {
		result(line)
	} else if (line ~ /^1\.\.[0-9]+/) {
		planned = substr(line, 4) + 0
		if (match(line, /#[ \t]*[Ss][Kk][Ii][Pp][ \t]*/))
			skipall = substr(line, RSTART + RLENGTH)
	} else {
		keep(line)
	}
}

{
	sub(/\r$/, "")
	line = $0
	# A program whose output lacks a final newline leaves the framing line
	# glued to its last line.
	p = index(line, "### end ")
	if (intest && p > 1) {
		output(substr(line, 1, p - 1))
		line = substr(line, p)
	}
	if (line ~ /^### begin /) {
		if (intest)
			fail("no '### end' line before the next test began")
		reset_test(substr(line, 11))
	} else if (line ~ /^### end /) {
		if (intest)
			end_test(line)
	} else if (line == "### suite done") {
		done = 1
	} else if (intest) {
		output(line)
	}
}

END {
	if (intest)
		fail("did not finish: " death)
}
