#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The allocator of the `fromauth` tool (meson option tool_allocator): with
# mimalloc, every malloc and free of the process -- the tool's, the
# library's, libc's own -- binds to libmimalloc, and mimalloc serves them;
# with system, mimalloc is not in the process at all.
# usage: test-cli-alloc.sh PATH-TO-fromauth SOURCE-DIR mimalloc|system
set -u
FROMAUTH=$1
SRC=$2
WANT=$3
case $FROMAUTH in /*) ;; *) FROMAUTH=$PWD/$FROMAUTH ;; esac
EX=$SRC/tools/examples
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); echo "ok - $1"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $1"; }

# A preloaded allocator would decide instead of the build.
unset LD_PRELOAD MIMALLOC_VERBOSE MIMALLOC_SHOW_STATS

# The README example: a whole check, so the tool, the library and the
# wrapped libraries all allocate.
run() {
	"$FROMAUTH" check news@members.example --service "$EX/esp.profile" \
		--zone "$EX/members.example.zone" --offline --fix --json >"$TMP/out"
}

# Every symbol binding (LD_BIND_NOW: all of them, called or not).
LD_BIND_NOW=1 LD_DEBUG=bindings LD_DEBUG_OUTPUT="$TMP/ld" run
st=$?
[ "$st" -le 3 ] && [ -s "$TMP/out" ] && ok "the check runs (exit $st)" ||
	not_ok "the check did not run (exit $st)"
cat "$TMP"/ld.* >"$TMP/bindings" 2>/dev/null
grep -E "normal symbol \`(malloc|calloc|realloc|free)'" "$TMP/bindings" >"$TMP/alloc"
to_mi=$(grep -c "to [^ ]*/libmimalloc\.so[^ ]* " "$TMP/alloc")
to_other=$(grep -vc "to [^ ]*/libmimalloc\.so[^ ]* " "$TMP/alloc")
[ -s "$TMP/alloc" ] && ok "LD_DEBUG shows malloc/free bindings" ||
	not_ok "LD_DEBUG shows no malloc/free bindings"

# At exit mimalloc prints its statistics when asked, if it is loaded.
MIMALLOC_SHOW_STATS=1 run 2>"$TMP/stats"

case $WANT in
mimalloc)
	[ "$to_other" -eq 0 ] && [ "$to_mi" -gt 0 ] &&
		ok "all $to_mi malloc/calloc/realloc/free bindings go to libmimalloc" || {
		not_ok "$to_other malloc/free bindings do not go to libmimalloc"
		grep -v "libmimalloc" "$TMP/alloc" | sed 's/^/#   /' | head -5
	}
	for obj in "$(basename "$FROMAUTH")" libfromauth.so libc.so; do
		grep -q "binding file [^ ]*$obj[^ ]* .*to [^ ]*/libmimalloc\.so[^ ]* .*\`malloc'" \
			"$TMP/alloc" && ok "$obj: malloc is mimalloc's" ||
			not_ok "$obj: malloc is not mimalloc's"
	done
	grep -q "heap stats" "$TMP/stats" && ok "mimalloc reports its statistics" ||
		not_ok "MIMALLOC_SHOW_STATS=1 printed nothing: mimalloc is not loaded"
	;;
system)
	[ "$to_mi" -eq 0 ] && ok "no binding goes to libmimalloc" ||
		not_ok "$to_mi bindings go to libmimalloc although tool_allocator=system"
	grep -q "heap stats" "$TMP/stats" && not_ok "mimalloc is loaded" ||
		ok "mimalloc is not loaded"
	;;
*)
	not_ok "unknown allocator $WANT"
	;;
esac

echo "# $passed passed, $failed failed"
[ "$failed" -eq 0 ]
