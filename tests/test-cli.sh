#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# `fromauth check` from the command line: the exit statuses of SPEC
# section 7 (one scenario of tests/check/ each), error messages that name
# the problem, --json that parses, and the README example.
# usage: test-cli.sh PATH-TO-fromauth SOURCE-DIR
set -u
FROMAUTH=$1
SRC=$2
case $FROMAUTH in /*) ;; *) FROMAUTH=$PWD/$FROMAUTH ;; esac
CHECK=$SRC/tests/check
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); echo "ok - $1"; }
not_ok() { failed=$((failed + 1)); echo "not ok - $1"; }

# expect STATUS NAME [args...]: run `fromauth check args`, keep stdout and
# stderr in $TMP/out and $TMP/err
expect() {
	want=$1 name=$2
	shift 2
	"$FROMAUTH" check "$@" >"$TMP/out" 2>"$TMP/err"
	got=$?
	if [ "$got" -eq "$want" ]; then
		ok "$name: exit $want"
	else
		not_ok "$name: exit $got, expected $want"
		sed 's/^/#   /' "$TMP/err"
	fi
}

# stderr_names NAME WORD: the error message contains WORD
stderr_names() {
	if grep -qF -- "$2" "$TMP/err"; then
		ok "$1: message names $2"
	else
		not_ok "$1: message does not name $2"
		sed 's/^/#   /' "$TMP/err"
	fi
}

# scenario ZONE PROFILE: the options for an offline scenario of tests/check
scenario() {
	echo "--service $CHECK/profiles/$2.profile --zone $CHECK/esp.zone --zone $CHECK/zones/$1.zone"
}

# ---- verdicts: 0 pass, 1 at-risk, 2 fail, 3 unknown
# shellcheck disable=SC2046
expect 0 "pass" news@healthy.example $(scenario healthy esp) --offline
head -n 1 "$TMP/out" | grep -q '^news@healthy.example: pass' &&
	ok "pass: the report leads with the verdict" || not_ok "pass: first line $(head -n 1 "$TMP/out")"
lines=$(wc -l <"$TMP/out")
[ "$lines" -le 24 ] && ok "pass: the report fits on one screen ($lines lines)" ||
	not_ok "pass: the report has $lines lines"
# shellcheck disable=SC2046
expect 1 "at-risk" news@no-dmarc.example $(scenario no-dmarc esp) --offline
grep -qF '_dmarc.no-dmarc.example. 3600 IN TXT "v=DMARC1; p=none"' "$TMP/out" &&
	ok "at-risk: the report shows the DMARC record to publish" ||
	not_ok "at-risk: no DMARC fix in the report"
# shellcheck disable=SC2046
expect 2 "fail" news@reject.example $(scenario reject esp) --offline
# _dmarc is not in the overlay: it goes to a nameserver on a closed port
# of 127.0.0.1 and fails temporarily.
# shellcheck disable=SC2046
expect 3 "unknown" news@dmarc-temp.example $(scenario dmarc-temp esp) \
	--nameserver 127.0.0.1@9 --timeout 200
grep -q 'dmarc.temperror' "$TMP/out" && ok "unknown: dmarc.temperror reported" ||
	not_ok "unknown: no dmarc.temperror"

# at-risk with warnings only: still a next step, and no promise of fixes
# shellcheck disable=SC2046
expect 1 "unaligned" news@unaligned.example $(scenario unaligned svcsign) --offline --fix
grep -q '^Next step: DKIM key s1._domainkey.sendco.example' "$TMP/out" &&
	ok "unaligned: next step names the unaligned key" || not_ok "unaligned: no next step"
grep -q 'No DNS record of yours changes this: the verdict stays at-risk; only the service can change it:' "$TMP/out" &&
	ok "unaligned: --fix says nothing of the user's helps" || not_ok "unaligned: --fix line"
grep -q '^    At the service: Authenticate unaligned.example for DKIM at SendCo' "$TMP/out" &&
	ok "unaligned: --fix says what to set up at the service" || not_ok "unaligned: no action"
# nothing anyone sets up creates a domain: say why
# shellcheck disable=SC2046
expect 2 "nxdomain --fix" news@nosuch.nxparent.example $(scenario nxsub esp) --offline --fix
grep -q 'It stays fail (no record creates a domain that does not exist)' "$TMP/out" &&
	ok "nxdomain: --fix says why nothing helps" || not_ok "nxdomain: --fix line"

# a domain that does not exist: that is the next step, before any record;
# a service refusing the address comes before even that
# shellcheck disable=SC2046
expect 2 "nxdomain" news@nosuch.nxparent.example $(scenario nxsub esp) --offline
grep -q '^Next step: nosuch.nxparent.example does not exist in DNS' "$TMP/out" &&
	ok "nxdomain: next step is the missing domain" ||
	not_ok "nxdomain: next step $(grep '^Next step' "$TMP/out")"
# shellcheck disable=SC2046
expect 2 "denied nxdomain" news@nosuch.nxparent.example $(scenario nxsub sendas) --offline
grep -q '^Next step: The service profile does not let this account send as' "$TMP/out" &&
	ok "denied nxdomain: next step is send-as" ||
	not_ok "denied nxdomain: next step $(grep '^Next step' "$TMP/out")"

# ---- --json parses, and says the same
# shellcheck disable=SC2046
expect 2 "json" news@reject.example $(scenario reject esp) --offline --json --fix
if python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["verdict"]=="fail" and d["fixed_verdict"]=="pass", d' <"$TMP/out"; then
	ok "json: parses, verdict fail, fixed_verdict pass"
else
	not_ok "json: does not parse or says otherwise"
fi
# shellcheck disable=SC2046
expect 0 "json pass" news@healthy.example $(scenario healthy esp) --offline --json
python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["verdict"]=="pass" and "fixed_verdict" not in d' <"$TMP/out" &&
	ok "json pass: parses, no fixed_verdict without --fix" || not_ok "json pass"

# ---- --assume publishes a record: the fix of the at-risk case
# shellcheck disable=SC2046
expect 0 "assume" news@no-dmarc.example $(scenario no-dmarc esp) --offline \
	--assume '_dmarc.no-dmarc.example. 3600 IN TXT "v=DMARC1; p=none"'

# ---- two DMARC records: the fix deletes the weaker, and --fix proves it
# shellcheck disable=SC2046
expect 1 "multiple" news@dmarc-multiple.example $(scenario dmarc-multiple esp) --offline --fix
grep -qF 'delete: _dmarc.dmarc-multiple.example. 3600 IN TXT "v=DMARC1; p=none"' "$TMP/out" &&
	ok "multiple: the report shows the record to delete" ||
	not_ok "multiple: no deletion in the report"
grep -q '^After publishing the fixes below: pass' "$TMP/out" &&
	ok "multiple: --fix proves the deletion" || not_ok "multiple: --fix line"
grep -qF 'Keep "v=DMARC1; p=reject"' "$TMP/out" &&
	ok "multiple: the report names the record to keep" || not_ok "multiple: no record to keep"

# ---- --assume-delete removes a record: two DMARC records, the weaker deleted
# shellcheck disable=SC2046
expect 0 "assume-delete" news@dmarc-multiple.example $(scenario dmarc-multiple esp) --offline \
	--assume-delete '_dmarc.dmarc-multiple.example. TXT "v=DMARC1; p=none"'
# deleting the other one leaves p=none, and aligned mail passes that too
# shellcheck disable=SC2046
expect 0 "assume-delete other" news@dmarc-multiple.example $(scenario dmarc-multiple esp) \
	--offline --assume-delete '_dmarc.dmarc-multiple.example. TXT "v=DMARC1; p=reject"'
# deleting both: no DMARC record at all
# shellcheck disable=SC2046
expect 1 "assume-delete both" news@dmarc-multiple.example $(scenario dmarc-multiple esp) \
	--offline --assume-delete '_dmarc.dmarc-multiple.example. TXT "v=DMARC1; p=reject"' \
	--assume-delete '_dmarc.dmarc-multiple.example. TXT "v=DMARC1; p=none"'
grep -q 'dmarc.none' "$TMP/out" && ok "assume-delete both: dmarc.none" ||
	not_ok "assume-delete both: no dmarc.none"
# published again after its deletion
# shellcheck disable=SC2046
expect 1 "assume after assume-delete" news@dmarc-multiple.example \
	$(scenario dmarc-multiple esp) --offline \
	--assume-delete '_dmarc.dmarc-multiple.example. TXT "v=DMARC1; p=none"' \
	--assume '_dmarc.dmarc-multiple.example. TXT "v=DMARC1; p=none"'
grep -q 'dmarc.multiple' "$TMP/out" && ok "assume after assume-delete: both again" ||
	not_ok "assume after assume-delete: no dmarc.multiple"

# ---- 64: usage
expect 64 "bad option" news@healthy.example --service "$CHECK/profiles/esp.profile" --bogus
stderr_names "bad option" "bogus"
expect 64 "missing --service" news@healthy.example --offline
stderr_names "missing --service" "--service"
expect 64 "no From" --service "$CHECK/profiles/esp.profile" --offline

# ---- 65: bad input data
expect 65 "malformed From" "not an address" --service "$CHECK/profiles/esp.profile" --offline
stderr_names "malformed From" "not an address"
printf 'name = X\nspf-include = spf.sendco.example\ncolour = blue\n' >"$TMP/unknown-key.profile"
expect 65 "unknown profile key" news@healthy.example --service "$TMP/unknown-key.profile" --offline
stderr_names "unknown profile key" "colour"
stderr_names "unknown profile key" "unknown-key.profile:3"
expect 65 "malformed --assume" news@healthy.example --service "$CHECK/profiles/esp.profile" \
	--offline --assume 'this is not a record'
stderr_names "malformed --assume" "--assume"
expect 65 "malformed --assume-delete" news@healthy.example \
	--service "$CHECK/profiles/esp.profile" --offline --assume-delete 'example. TXT'
stderr_names "malformed --assume-delete" "--assume-delete"
printf 'name = X\nhelo = mta.example\n' >"$TMP/incomplete.profile"
expect 65 "profile without ip or spf-include" news@healthy.example \
	--service "$TMP/incomplete.profile" --offline
stderr_names "profile without ip or spf-include" "spf-include"

# ---- 66: unreadable files
expect 66 "unreadable --service" news@healthy.example --service "$TMP/no-such.profile" --offline
stderr_names "unreadable --service" "no-such.profile"
expect 66 "unreadable --zone" news@healthy.example --service "$CHECK/profiles/esp.profile" \
	--zone "$TMP/no-such.zone" --offline
stderr_names "unreadable --zone" "no-such.zone"

# ---- --rules and --reputation (overlay copies of the lists only)
RULES=$SRC/tests/rules
# shellcheck disable=SC2046
expect 0 "--rules all" news@healthy.example $(scenario healthy esp) --offline --rules all
grep -q "^Receivers' rules" "$TMP/out" && ok "--rules: the report has the rules section" ||
	not_ok "--rules: no rules section"
grep -q '^  gmail   all  fail        forward-confirmed reverse DNS' "$TMP/out" &&
	grep -q '^          fix: see finding rules.fcrdns$' "$TMP/out" &&
	grep -q '^  yahoo   all  not_checked spam complaint rate' "$TMP/out" &&
	grep -q '^  apple   bulk pass        SPF and DKIM both pass' "$TMP/out" &&
	ok "--rules: failing rows say what fixes them, not_checked rows are listed" ||
	not_ok "--rules: rows $(grep -c '^  [a-z]' "$TMP/out")"
# shellcheck disable=SC2046
expect 0 "--rules gmail --json" news@healthy.example $(scenario healthy esp) --offline \
	--rules gmail --json --zone "$RULES/ptr.zone"
python3 -c '
import json, sys
d = json.load(sys.stdin)
rows = d["rules"]
assert rows and {r["receiver"] for r in rows} == {"gmail"}, rows
assert all(set(r) == {"receiver", "tier", "requirement", "status", "code", "message", "finding"} for r in rows)
assert {r["status"] for r in rows} == {"pass", "not_checked"}, rows
assert [f["status"] for f in d["fcrdns"]] == ["pass"] * 4, d["fcrdns"]
assert "reputation" not in d
' <"$TMP/out" && ok "--rules --json: rows and fcrdns" || not_ok "--rules --json"
# shellcheck disable=SC2046
expect 0 "--reputation" news@healthy.example $(scenario healthy esp) --offline --reputation \
	--zone "$RULES/dnsbl.zone" --zone "$RULES/dnsbl-listed.zone" --zone "$RULES/dnsbl-refused.zone"
grep -q '^  listed     2001:db8:5e:: on zen.spamhaus.org: XBL' "$TMP/out" &&
	grep -q '^  refused    192.0.2.0 on zen.spamhaus.org: query refused' "$TMP/out" &&
	grep -q '^  refused    healthy.example on dbl.spamhaus.org: query error' "$TMP/out" &&
	! grep -q 'reputation.domain_listed' "$TMP/out" &&
	ok "--reputation: listed and refused answers reported apart, a refusal wins" ||
	not_ok "--reputation: $(grep -A8 '^Reputation' "$TMP/out")"
# shellcheck disable=SC2046
expect 0 "--dnsbl" news@healthy.example $(scenario healthy esp) --offline --reputation \
	--dnsbl 'zone=zen.spamhaus.org; kind=ip; listed=127.0.0.2 custom meaning' \
	--zone "$RULES/dnsbl.zone" --zone "$RULES/dnsbl-listed.zone"
grep -q '^  listed     192.0.2.0 on zen.spamhaus.org: custom meaning' "$TMP/out" &&
	! grep -q 'dbl.spamhaus.org' "$TMP/out" &&
	ok "--dnsbl: the list given replaces the defaults" || not_ok "--dnsbl: $(grep -A6 '^Reputation' "$TMP/out")"
expect 65 "bad --dnsbl" news@healthy.example --service "$CHECK/profiles/esp.profile" --offline \
	--reputation --dnsbl 'zone=bl.example; kind=ip; listed=10.0.0.2'
stderr_names "bad --dnsbl" "127.0.0.0/8"
expect 64 "bad --rules" news@healthy.example --service "$CHECK/profiles/esp.profile" --offline \
	--rules gmail,hotmail
stderr_names "bad --rules" "--rules"

# ---- `fromauth dmarc` shows the library's fix for an unauthorized destination
"$FROMAUTH" dmarc rua-foreign.example --zone "$CHECK/esp.zone" \
	--zone "$CHECK/zones/rua-foreign.zone" --offline >"$TMP/out" 2>"$TMP/err"
grep -qx '                 fix: rua-foreign.example._report._dmarc.reports.thirdparty.example. 3600 IN TXT "v=DMARC1"' "$TMP/out" &&
	ok "dmarc: fix line for the unauthorized destination" ||
	not_ok "dmarc: fix line $(grep 'fix:' "$TMP/out")"

# ---- the README example
cd "$SRC" || exit 1
"$FROMAUTH" check news@members.example --service tools/examples/esp.profile \
	--zone tools/examples/members.example.zone --offline --fix >"$TMP/out" 2>"$TMP/err"
got=$?
[ "$got" -eq 2 ] && ok "README example: exit 2 (fail)" || not_ok "README example: exit $got"
head -n 1 "$TMP/out" | grep -q '^news@members.example: fail' &&
	ok "README example: verdict fail" || not_ok "README example: $(head -n 1 "$TMP/out")"
grep -q 'After publishing the fixes.*: pass' "$TMP/out" &&
	ok "README example: fixed verdict pass" || not_ok "README example: no fixed verdict pass"
# The next step is the merged SPF record, with its lookup count before and after.
grep -q '^Next step: .*uses 1 of 10 DNS lookups now). With the fix the record uses 2 of 10' "$TMP/out" &&
	grep -q '^    members.example. 3600 IN TXT "v=spf1 include:_spf.mailhost.example include:spf.esp.example ~all"$' "$TMP/out" &&
	ok "README example: next step is the merged SPF record" ||
	not_ok "README example: next step $(grep -A1 '^Next step' "$TMP/out")"
"$FROMAUTH" check news@members.example --service tools/examples/esp.profile \
	--zone tools/examples/members.example.zone --offline --fix --json >"$TMP/out" 2>"$TMP/err"
python3 -c 'import json,sys; d=json.load(sys.stdin); assert (d["verdict"], d["fixed_verdict"]) == ("fail", "pass"), d' <"$TMP/out" &&
	ok "README example --json: fail, fixed pass" || not_ok "README example --json"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
