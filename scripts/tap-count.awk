#!/usr/bin/awk -f
# tap-count.awk - count the TAP documents of one VM run: prints
# "PASSED FAILED SKIPPED". "ok ... # SKIP" is a skip, "ok" a pass, "not ok"
# a failure; every result a document's plan announces but never printed
# (a test binary that died mid-run) counts as a failure.
function close_doc() {
	if (plan > seen)
		failed += plan - seen
	plan = seen = 0
}
{ sub(/\r$/, "") }
/^TAP version/ { close_doc(); next }
/^1\.\.[0-9]+/ { plan = substr($1, 4) + 0; next }
/^not ok / { failed++; seen++; next }
/^ok / {
	seen++
	if (toupper($0) ~ /# SKIP/)
		skipped++
	else
		passed++
	next
}
END { close_doc(); printf "%d %d %d\n", passed, failed, skipped }
