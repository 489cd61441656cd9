# Shared by the provider's shell tests: results as "ok - NAME" / "not ok -
# NAME" lines (what tests/run counts), OCF's counters, the reference openssl.
# Source it after setting $here (the project) and $build (the build folder).

failures=0

# check NAME CMD...: runs CMD, reports it.
check() {
	local name=$1
	shift
	if "$@"; then
		echo "ok - $name"
	else
		echo "not ok - $name"
		failures=$((failures + 1))
	fi
}

# The same, for a condition already evaluated (0 = passed).
report() {
	if [ "$2" -eq 0 ]; then
		echo "ok - $1"
	else
		echo "not ok - $1"
		failures=$((failures + 1))
	fi
}

# Stock OpenSSL: the default provider only, no ocf.
ref_openssl() {
	env -u OPENSSL_MODULES OPENSSL_CONF=/dev/null openssl "$@"
}

# ocfctl's JSON (docs/ocfctl.md): `ocfctl_json COMMAND EXPR` prints EXPR
# evaluated with d = the document of `ocfctl COMMAND --json`; fails when
# ocfctl fails or its document is not schema version 1.
ocfctl_json() {
	local ocfctl=$build/tools/ocfctl/ocfctl json
	[ -x "$ocfctl" ] && json=$("$ocfctl" $1 --json 2>/dev/null) &&
		python3 -c 'import json,sys
d = json.loads(sys.argv[1])
assert d["version"] == 1, "ocfctl JSON schema %r, not 1" % d["version"]
print(eval(sys.argv[2]))' "$json" "$2" 2>/dev/null
}

# How many producers flagged hardware are registered (0 without /dev/ocf).
# With the device present and the list unreadable: -1 (callers compare
# with 0, so that is never taken for "no hardware").
hardware_producers() {
	[ -e /dev/ocf ] || { echo 0; return; }
	ocfctl_json producers 'sum(p["kind"] == "hw" for p in d["producers"])' || echo -1
}

# The key operations (OCF_KOP_* bits) some producer offers: "0" without
# /dev/ocf or when the list cannot be read.
ocf_kops() {
	[ -e /dev/ocf ] || { echo 0; return; }
	ocfctl_json producers 'sum(1 for p in d["producers"] if p.get("kops"))' || echo 0
}

# After a transfer in mode always: at least $size_mb MiB went through OCF
# since OCF's byte counter read B0, and the caller's `sessions SESSION`
# (how many OCF sessions of that kind the provider made) grew past N0.
# Nothing to check without /dev/ocf (B0 < 0) or in another mode.
check_ocf_served() {
	local name=$1 b0=$2 session=$3 n0=$4 b1
	b1=$(ocf_total bytes)
	# With the device present, counters that cannot be read fail the check:
	# they must never turn it into a skip.
	if [ "$b0" -eq -2 ] || [ "$b1" -eq -2 ]; then
		report "$name: OCF's counters readable (ocfctl stats --json)" 1
		return
	fi
	if [ "$b0" -ge 0 ] && [ "${OCF_PROVIDER_MODE:-always}" = always ]; then
		report "$name: $(((b1 - b0) / 1048576)) MiB through OCF (>= $size_mb MiB)" \
			"$([ $((b1 - b0)) -ge $((size_mb * 1048576)) ]; echo $?)"
		report "$name: an OCF session $session served it" \
			"$([ "$(sessions "$session")" -gt "$n0" ]; echo $?)"
	fi
}

# OCF's total counter FIELD (requests, bytes) over all producers, -1
# without /dev/ocf, -2 when the device is there but the counters cannot be
# read (ocfctl missing or failing, JSON unreadable: a failure, not a skip).
ocf_total() {
	local v
	[ -e /dev/ocf ] || { echo -1; return; }
	if v=$(ocfctl_json stats "int(d[\"stats\"][\"total\"][\"$1\"])") && [[ $v =~ ^[0-9]+$ ]]; then
		echo "$v"
	else
		echo -2
	fi
}

# The sum of counter FIELD over the producers whose names start with
# PREFIX; -1 when it cannot be read (no device, ocfctl failing).
ocf_producers_total() {
	local v
	[ -e /dev/ocf ] || { echo -1; return; }
	if v=$(ocfctl_json stats "sum(int(p[\"stats\"][\"$2\"]) for p in d[\"stats\"][\"producers\"] if p[\"name\"].startswith(\"$1\"))") &&
		[[ $v =~ ^[0-9]+$ ]]; then
		echo "$v"
	else
		echo -1
	fi
}

# Ends a script: a summary line, and the status.
finish() {
	echo "# $failures failed"
	[ "$failures" -eq 0 ]
}
