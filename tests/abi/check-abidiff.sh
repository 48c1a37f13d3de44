#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Compare the built library's ABI with the committed baseline.  The
# baseline is regenerated on purpose when the API grows (additions only):
#   abidw --no-corpus-path --headers-dir include/fromauth \
#         build/lib/libfromauth.so.1 > tests/abi/libfromauth.abi
# abidiff exit status: bit 2 (4) = ABI change, bit 3 (8) = incompatible.
set -u
lib=$1 baseline=$2 headers=$3
command -v abidiff >/dev/null || { echo "abidiff not installed"; exit 77; }
out=$(abidiff --headers-dir2 "$headers" "$baseline" "$lib" 2>&1)
rc=$?
echo "$out"
if [ $((rc & 8)) -ne 0 ]; then
	echo "ABI break against $baseline"
	exit 1
fi
if [ $((rc & 3)) -ne 0 ]; then
	echo "abidiff failed to run"
	exit 1
fi
if [ $((rc & 4)) -ne 0 ]; then
	# Only additions are allowed: a changed or removed function or
	# variable, even one abidiff calls compatible, is not additive.
	if echo "$out" | grep -Eq 'changes summary: ([1-9][0-9]* Removed|[0-9]+ Removed[^,]*, [1-9][0-9]* Changed)'; then
		echo "ABI changed beyond additions against $baseline"
		exit 1
	fi
	echo "additions only; regenerate the baseline when releasing"
fi
exit 0
