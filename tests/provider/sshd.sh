#!/usr/bin/env bash
# OpenSSH's sshd with the ocf provider (mode always): scp copies a 64 MiB
# file from it with aes128-ctr and with aes256-gcm@openssh.com, and one to it;
# the files arrive intact and, with /dev/ocf and a producer, at least 64 MiB
# per download went through OCF. sshd's pre-authentication child runs in its
# seccomp sandbox, which denies open(2) and kills on unlisted ioctls: the
# provider must fall back to software there without being killed (it logs
# the refused fstat, or open).
# An RSA-2048 host key signs the key exchange (rsa-sha2-256 and -512): the
# login works with the provider loaded. OpenSSH before 9.4 signs with the
# legacy RSA_sign() on an RSA object, which runs libcrypto's built-in RSA
# code and no provider; from 9.4 on it signs through EVP, and then OCF must
# make the host key's signature (its key-operation counter grows).
#
# Run as root in the VM, with the modules loaded:
#   tools/vm run --modules "kernel/ocf.ko kernel/drivers/swcrypt/ocf_swcrypt.ko" -- \
#       tests/provider/sshd.sh [BUILD_DIR]
# Needs the Debian packages openssh-server and openssh-client. SIZE_MB
# overrides the 64 MiB.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$(cd "${1:-${BUILD:-$here/build}}" && pwd)
. "$here/tests/provider/lib.sh"

size_mb=${SIZE_MB:-64}
[ -x /usr/sbin/sshd ] && command -v scp >/dev/null || {
	echo "not ok - openssh-server and openssh-client are installed"
	exit 1
}
ip link set lo up 2>/dev/null || true
mkdir -p /run/sshd
chmod 755 /run/sshd
tmp=$(mktemp -d)
chmod 755 "$tmp"
sshd_pid=""
cleanup() {
	[ -n "$sshd_pid" ] && kill "$sshd_pid" 2>/dev/null && wait "$sshd_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

ssh-keygen -q -t ed25519 -N '' -f "$tmp/host_ed25519"
ssh-keygen -q -t rsa -b 2048 -N '' -f "$tmp/host_rsa"
ssh-keygen -q -t ed25519 -N '' -f "$tmp/id"
cp "$tmp/id.pub" "$tmp/authorized_keys"
head -c $((size_mb * 1024 * 1024)) /dev/urandom >"$tmp/big"

cat >"$tmp/sshd_config" <<EOF
Port 2222
ListenAddress 127.0.0.1
HostKey $tmp/host_ed25519
HostKey $tmp/host_rsa
PidFile $tmp/sshd.pid
PermitRootLogin prohibit-password
PubkeyAuthentication yes
AuthorizedKeysFile $tmp/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
Ciphers aes128-ctr,aes256-gcm@openssh.com
Subsystem sftp internal-sftp
LogLevel VERBOSE
EOF

check "sshd accepts the configuration" /usr/sbin/sshd -t -f "$tmp/sshd_config"
# sshd's stderr (its log and the provider's debug messages) goes through a
# pipe, not to a file: the pre-auth child runs with RLIMIT_FSIZE 0, and a
# message written to a file would kill it with SIGXFSZ.
mkfifo "$tmp/log.fifo"
cat "$tmp/log.fifo" >"$tmp/sshd.log" &
OPENSSL_MODULES=$build/provider OPENSSL_CONF=$here/provider/ocf.cnf \
	OCF_PROVIDER_MODE=${OCF_PROVIDER_MODE:-always} OCF_PROVIDER_DEBUG=1 \
	/usr/sbin/sshd -D -e -f "$tmp/sshd_config" 2>"$tmp/log.fifo" &
sshd_pid=$!

ssh_opts=(-F /dev/null -i "$tmp/id" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
	-o BatchMode=yes -o LogLevel=ERROR)
for _ in $(seq 60); do
	ssh "${ssh_opts[@]}" -p 2222 root@127.0.0.1 true 2>/dev/null && break
	kill -0 "$sshd_pid" 2>/dev/null || break
	sleep 2
done
check "ssh logs in (the sandboxed pre-auth child survived)" \
	ssh "${ssh_opts[@]}" -p 2222 -c aes128-ctr root@127.0.0.1 true

sessions() {
	grep -F "OCF session" "$tmp/sshd.log" | grep -cF ": $1"
}

# The RSA host key. OpenSSH's version decides whether the provider sees it.
ver=$(ssh -V 2>&1 | sed -nE 's/^OpenSSH_([0-9]+)\.([0-9]+).*/\1 \2/p')
evp_rsa=1
if [ -n "$ver" ] && [ $((${ver% *} * 100 + ${ver#* })) -lt 904 ]; then
	evp_rsa=0
fi
for alg in rsa-sha2-256 rsa-sha2-512; do
	k0=$(ocf_total kop_requests)
	check "ssh logs in, host key $alg" \
		ssh "${ssh_opts[@]}" -o HostKeyAlgorithms=$alg -p 2222 root@127.0.0.1 true
	k1=$(ocf_total kop_requests)
	echo "# host key $alg: OCF key operations $k0 -> $k1 (OpenSSH ${ver/ /.} signs RSA" \
		"$([ $evp_rsa = 1 ] && echo through EVP || echo with the legacy RSA_sign, no provider))"
	if [ "$evp_rsa" = 1 ] && [ "$k0" -ge 0 ] && [ "${OCF_PROVIDER_MODE:-always}" = always ] &&
		[ "$(ocf_kops)" != 0 ]; then
		report "host key $alg: OCF made the signature" "$([ "$k1" -gt "$k0" ]; echo $?)"
	fi
done

# copy NAME CIPHER SESSION FROM TO: scp (stock OpenSSL) with CIPHER.
copy() {
	local name=$1 cipher=$2 session=$3 from=$4 to=$5 b0 n0
	b0=$(ocf_total bytes)
	n0=$(sessions "$session")
	scp -q "${ssh_opts[@]}" -P 2222 -c "$cipher" "$from" "$to"
	report "$name: scp -c $cipher" $?
	report "$name: the file arrived intact" "$(cmp -s "$tmp/big" "$tmp/got"; echo $?)"
	rm -f "$tmp/got"
	check_ocf_served "$name" "$b0" "$session" "$n0"
}

copy "download aes128-ctr" aes128-ctr aes-ctr "root@127.0.0.1:$tmp/big" "$tmp/got"
copy "download aes256-gcm" aes256-gcm@openssh.com aes-gcm "root@127.0.0.1:$tmp/big" "$tmp/got"
copy "upload aes256-gcm" aes256-gcm@openssh.com aes-gcm "$tmp/big" "root@127.0.0.1:$tmp/got"

check "sshd is still running" kill -0 "$sshd_pid"
report "no sshd process was killed by its sandbox" \
	"$(! grep -iE 'killed|signal 31|SIGSYS|seccomp' "$tmp/sshd.log"; echo $?)"
grep -E 'unavailable|opened by|refused' "$tmp/sshd.log" | head -8 | sed 's/^/# /'
report "the sandboxed child noticed its sandbox and went on in software" \
	"$(grep -qE 'refused \(a sandbox|unavailable \(permission denied' "$tmp/sshd.log"; echo $?)"
[ "$failures" -eq 0 ] || tail -n 40 "$tmp/sshd.log" | sed 's/^/# sshd: /'
finish
