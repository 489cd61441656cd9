#!/usr/bin/env bash
# The openssl tool with the ocf provider, configured through provider/ocf.cnf
# (OPENSSL_CONF): enc, dgst, mac and speed give what stock OpenSSL gives, and
# in mode always (the default here) with /dev/ocf present the work reaches
# OCF (ocfctl's counters move).
#
#   tests/provider/cli.sh [BUILD_DIR]      (default: build)
#   OCF_PROVIDER_MODE=auto tests/provider/cli.sh
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$(cd "${1:-${BUILD:-$here/build}}" && pwd)
. "$here/tests/provider/lib.sh"

export OPENSSL_MODULES=$build/provider
export OPENSSL_CONF=$here/provider/ocf.cnf
export OCF_PROVIDER_MODE=${OCF_PROVIDER_MODE:-always}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Sizes kept small: the VM's emulated CPU is slow. "big" is more than one
# OCF request (1 MiB), so a digest of it finishes in software.
head -c $((1024 * 1024 + 17)) /dev/urandom >"$tmp/big"
head -c $((256 * 1024 + 17)) "$tmp/big" >"$tmp/data"
head -c $((256 * 1024)) "$tmp/big" >"$tmp/blocks"
head -c $((200 * 1024 + 3)) "$tmp/big" >"$tmp/half"
requests0=$(ocf_total requests)

check "openssl lists the ocf provider as active" \
	sh -c 'openssl list -providers | grep -A3 "^  ocf" | grep -q "status: active"'
n=$( (openssl list -cipher-algorithms; openssl list -digest-algorithms; openssl list -mac-algorithms) |
	grep -c '@ ocf$')
if [ "$OCF_PROVIDER_MODE" != auto ]; then
	report "ocf offers its 20 algorithms ($n listed)" "$([ "$n" -eq 20 ]; echo $?)"
elif [ "$(hardware_producers)" -eq 0 ]; then
	# Mode auto offers only what a hardware producer does: OpenSSL's
	# default provider serves the rest itself, with no wrapper's overhead.
	report "mode auto without a hardware producer: ocf offers nothing ($n listed)" \
		"$([ "$n" -eq 0 ]; echo $?)"
else
	report "mode auto with a hardware producer: ocf offers some of its 20 ($n listed)" \
		"$([ "$n" -gt 0 ] && [ "$n" -le 20 ]; echo $?)"
fi

# The provider's openssl.cnf section sets mode and threshold; the environment
# overrides them.
sed -e 's/^mode = .*/mode = never/' -e 's/^threshold = .*/threshold = 12k/' \
	"$here/provider/ocf.cnf" >"$tmp/never.cnf"
check "mode and threshold come from the provider's openssl.cnf section" \
	sh -c 'env -u OCF_PROVIDER_MODE OPENSSL_CONF="$1" OCF_PROVIDER_DEBUG=1 openssl version 2>&1 |
		grep -q "loaded: mode never, threshold 12288 bytes"' - "$tmp/never.cnf"
check "OCF_PROVIDER_MODE and OCF_PROVIDER_THRESHOLD override them" \
	sh -c 'OPENSSL_CONF="$1" OCF_PROVIDER_MODE=always OCF_PROVIDER_THRESHOLD=1M \
		OCF_PROVIDER_DEBUG=1 openssl version 2>&1 |
		grep -q "loaded: mode always, threshold 1048576 bytes"' - "$tmp/never.cnf"

key=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
iv=f0e0d0c0b0a090807060504030201000
# Every algorithm is covered by ocf_provider_tests; here, one of each kind
# (an openssl process takes seconds to start in the VM).
for c in aes-128-cbc aes-256-ctr des-ede3-cbc; do
	case $c in
	aes-128-*) k=${key:0:32} ;;
	aes-192-* | des-ede3-*) k=${key:0:48} ;;
	*) k=$key ;;
	esac
	case $c in des-*) i=${iv:0:16} ;; *) i=$iv ;; esac
	openssl enc -$c -K "$k" -iv "$i" -in "$tmp/data" -out "$tmp/$c.ocf"
	ref_openssl enc -$c -K "$k" -iv "$i" -in "$tmp/data" -out "$tmp/$c.ref"
	check "openssl enc -$c: same ciphertext as stock OpenSSL" cmp -s "$tmp/$c.ocf" "$tmp/$c.ref"
	openssl enc -d -$c -K "$k" -iv "$i" -in "$tmp/$c.ref" -out "$tmp/$c.back"
	check "openssl enc -d -$c: the plaintext back" cmp -s "$tmp/$c.back" "$tmp/data"
	openssl enc -$c -nopad -K "$k" -iv "$i" -in "$tmp/blocks" -out "$tmp/$c.np"
	ref_openssl enc -$c -nopad -K "$k" -iv "$i" -in "$tmp/blocks" -out "$tmp/$c.npref"
	check "openssl enc -$c -nopad: same as stock" cmp -s "$tmp/$c.np" "$tmp/$c.npref"
done
# A passphrase (PBKDF2 and a salt from the default provider's RNG).
openssl enc -aes-256-cbc -pbkdf2 -pass pass:secret -in "$tmp/data" -out "$tmp/pbe"
ref_openssl enc -d -aes-256-cbc -pbkdf2 -pass pass:secret -in "$tmp/pbe" -out "$tmp/pbe.back"
check "openssl enc -pbkdf2: stock OpenSSL decrypts it" cmp -s "$tmp/pbe.back" "$tmp/data"

for d in sha1 sha224 sha256 sha384 sha512; do
	a=$(openssl dgst -$d -r "$tmp/half" | cut -d' ' -f1)
	b=$(ref_openssl dgst -$d -r "$tmp/half" | cut -d' ' -f1)
	report "openssl dgst -$d: same digest as stock" "$([ -n "$a" ] && [ "$a" = "$b" ]; echo $?)"
done
a=$(openssl dgst -sha1 -r "$tmp/big" | cut -d' ' -f1)
b=$(ref_openssl dgst -sha1 -r "$tmp/big" | cut -d' ' -f1)
report "openssl dgst -sha1 of 1 MiB + 17: same digest as stock" "$([ -n "$a" ] && [ "$a" = "$b" ]; echo $?)"
a=$(openssl dgst -sha256 -hmac "a key" -r "$tmp/half" | cut -d' ' -f1)
b=$(ref_openssl dgst -sha256 -hmac "a key" -r "$tmp/half" | cut -d' ' -f1)
report "openssl dgst -sha256 -hmac: same MAC as stock" "$([ -n "$a" ] && [ "$a" = "$b" ]; echo $?)"
a=$(openssl mac -digest sha512 -macopt hexkey:$key -in "$tmp/half" HMAC)
b=$(ref_openssl mac -digest sha512 -macopt hexkey:$key -in "$tmp/half" HMAC)
report "openssl mac -digest sha512 HMAC: same MAC as stock" "$([ -n "$a" ] && [ "$a" = "$b" ]; echo $?)"

out=$(openssl speed -evp aes-128-cbc -seconds 1 2>&1)
report "openssl speed -evp aes-128-cbc -seconds 1" \
	"$(echo "$out" | grep -qiE '^aes-128-cbc +[0-9]'; echo $?)"
echo "$out" | grep -iE '^(type|aes-128-cbc) ' | sed 's/^/# /'

requests1=$(ocf_total requests)
if [ "$requests0" -ge 0 ] && [ "$OCF_PROVIDER_MODE" = always ]; then
	report "OCF served the requests ($((requests1 - requests0)) requests)" \
		"$([ "$requests1" -gt "$requests0" ]; echo $?)"
elif [ "$requests0" -ge 0 ] && [ "$OCF_PROVIDER_MODE" = never ]; then
	report "mode never: OCF served nothing" "$([ "$requests1" -eq "$requests0" ]; echo $?)"
else
	echo "# OCF cannot serve here (no /dev/ocf, or no producer) or mode $OCF_PROVIDER_MODE:" \
		"no check of OCF's counters"
fi
finish
