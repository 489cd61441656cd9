#!/usr/bin/env bash
# Mode auto with no producer faster than the CPU must not make a program
# slower: `openssl speed -evp` with the provider (OCF_PROVIDER_MODE=auto)
# against stock OpenSSL, best of a few alternating runs, for 16 KiB blocks
# (the table shows every block size). Fails below MIN_RATIO (default 0.9).
# Run it natively, or in the VM with only the swcrypt producer loaded.
#
#   tests/provider/perf.sh [BUILD_DIR]
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$(cd "${1:-${BUILD:-$here/build}}" && pwd)
. "$here/tests/provider/lib.sh"
min_ratio=${MIN_RATIO:-0.9}
runs=${RUNS:-3}
secs=${SECONDS_PER_SIZE:-1}

# speed_line CONF ALG: the numbers of openssl speed's result line (k/s).
speed_line() {
	OPENSSL_MODULES=$build/provider OPENSSL_CONF=$1 OCF_PROVIDER_MODE=auto \
		openssl speed -evp "$2" -seconds "$secs" 2>/dev/null | tail -n1 |
		grep -oE '[0-9]+\.[0-9]+k' | tr -d k | tr '\n' ' '
}

# best A B: the element-wise maximum of two lists.
best() {
	python3 -c 'import sys; a=sys.argv[1].split(); b=sys.argv[2].split() or a; print(" ".join(str(max(float(x),float(y))) for x,y in zip(a,b)))' "$1" "$2"
}

for alg in aes-128-cbc aes-128-gcm sha256; do
	stock="" ocf=""
	for _ in $(seq "$runs"); do
		stock=$(best "$(speed_line /dev/null "$alg")" "$stock")
		ocf=$(best "$(speed_line "$here/provider/ocf.cnf" "$alg")" "$ocf")
	done
	echo "# $alg stock (k/s, 16 B .. 16 KiB): $stock"
	echo "# $alg ocf auto:                    $ocf"
	ratios=$(python3 -c 'import sys; a=sys.argv[1].split(); b=sys.argv[2].split(); print(" ".join("%.2f" % (float(y)/float(x)) for x,y in zip(a,b)))' "$stock" "$ocf")
	echo "# $alg ratio:                       $ratios"
	last=${ratios##* }
	report "$alg: ocf in mode auto is as fast as stock at 16 KiB (ratio $last >= $min_ratio)" \
		"$(python3 -c 'import sys; sys.exit(float(sys.argv[1]) < float(sys.argv[2]))' "$last" "$min_ratio"; echo $?)"
done
finish
