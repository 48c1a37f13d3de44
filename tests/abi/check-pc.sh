#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# The generated libfromauth.pc: a client links -lfromauth only; the
# wrapped libraries appear in the private fields and nowhere else.
set -u
pc=$1
fail() { echo "$pc: $*"; exit 1; }
[ -f "$pc" ] || fail "missing"
libs=$(sed -n 's/^Libs: //p' "$pc")
cflags=$(sed -n 's/^Cflags: //p' "$pc")
echo "$libs" | grep -q -- '-lfromauth' || fail "Libs lacks -lfromauth"
for wrapped in spf2 opendkim opendmarc ldns; do
	echo "$libs $cflags" | grep -q "$wrapped" && fail "Libs/Cflags name $wrapped"
done
grep -q '^Requires:' "$pc" && fail "public Requires: the backends must stay private"
grep -q '^Requires.private:.*ldns' "$pc" || fail "Requires.private lacks ldns"
grep -q '^Requires.private:.*opendkim' "$pc" || fail "Requires.private lacks opendkim"
grep -q '^Libs.private:.*-lspf2' "$pc" || fail "Libs.private lacks -lspf2"
grep -q '^Libs.private:.*-lopendmarc' "$pc" || fail "Libs.private lacks -lopendmarc"
echo "ok"
