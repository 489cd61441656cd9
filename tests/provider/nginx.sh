#!/usr/bin/env bash
# nginx with the ocf provider (mode always) serves a 64 MiB file to curl over
# TLS 1.2 with an AES-GCM suite, TLS 1.2 with a CBC-SHA256 suite and
# encrypt-then-MAC off (libssl's stitched AES-128-CBC-HMAC-SHA256), and
# TLS 1.3 with TLS_AES_128_GCM_SHA256 (and TLS 1.2 AES-256-CBC-SHA384 with
# encrypt-then-MAC: plain CBC records and HMAC). The files arrive intact and, with
# /dev/ocf and a producer, at least 64 MiB per transfer went through OCF.
# Then the swcrypt producer is unplugged during GCM and stitched transfers:
# they complete intact in software.
# With an RSA-2048 certificate, TLS 1.2 (ECDHE-RSA, PKCS#1 v1.5) and TLS 1.3
# (RSA-PSS) full handshakes: each one's signature is made by OCF, so OCF's
# key-operation counter grows by exactly one per handshake.
# nginx forks its workers after loading the configuration (and the provider).
#
# Run as root in the VM, with the modules loaded:
#   tools/vm run --modules "kernel/ocf.ko kernel/drivers/swcrypt/ocf_swcrypt.ko" -- \
#       tests/provider/nginx.sh [BUILD_DIR]
# Needs the Debian packages nginx and curl. SIZE_MB overrides the 64 MiB.
# HANDSHAKES_ONLY=1 runs the RSA handshakes alone, HANDSHAKES=N of each kind
# (default 5); KOP_PRODUCER=NAME also checks that the producers whose names
# start with NAME (ubsec: the Broadcom chips) made every signature.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$(cd "${1:-${BUILD:-$here/build}}" && pwd)
. "$here/tests/provider/lib.sh"

handshakes_only=${HANDSHAKES_ONLY:-0}
size_mb=${SIZE_MB:-64}
[ "$handshakes_only" = 0 ] || size_mb=${SIZE_MB:-1}
command -v nginx >/dev/null && command -v curl >/dev/null || {
	echo "not ok - nginx and curl are installed"
	exit 1
}
ip link set lo up 2>/dev/null || true
tmp=$(mktemp -d)
chmod 755 "$tmp"
nginx_pid=""
cleanup() {
	[ -n "$nginx_pid" ] && kill -QUIT "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

mkdir -p "$tmp/www"
ref_openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
	-subj /CN=localhost -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null
ref_openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
	-subj /CN=localhost -keyout "$tmp/rsa-key.pem" -out "$tmp/rsa-cert.pem" 2>/dev/null
head -c $((size_mb * 1024 * 1024)) /dev/urandom >"$tmp/www/big"
chmod -R a+rX "$tmp/www"

cat >"$tmp/nginx.conf" <<EOF
worker_processes 2;
daemon off;
pid $tmp/nginx.pid;
error_log $tmp/error.log info;
env OCF_PROVIDER_MODE;
env OCF_PROVIDER_DEBUG;
events { worker_connections 64; }
http {
	access_log $tmp/access.log;
	client_body_temp_path $tmp/body;
	proxy_temp_path $tmp/proxy;
	fastcgi_temp_path $tmp/fastcgi;
	uwsgi_temp_path $tmp/uwsgi;
	scgi_temp_path $tmp/scgi;
	sendfile off;
	ssl_certificate $tmp/cert.pem;
	ssl_certificate_key $tmp/key.pem;
	server {
		listen 127.0.0.1:8443 ssl;
		root $tmp/www;
		ssl_protocols TLSv1.2;
		ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256;
	}
	server {
		listen 127.0.0.1:8444 ssl;
		root $tmp/www;
		ssl_protocols TLSv1.2;
		ssl_ciphers ECDHE-ECDSA-AES128-SHA256;
		ssl_conf_command Options -EncryptThenMac;
	}
	server {
		listen 127.0.0.1:8446 ssl;
		root $tmp/www;
		ssl_protocols TLSv1.2;
		ssl_ciphers ECDHE-ECDSA-AES256-SHA384;
	}
	server {
		listen 127.0.0.1:8445 ssl;
		root $tmp/www;
		ssl_protocols TLSv1.3;
		ssl_conf_command Ciphersuites TLS_AES_128_GCM_SHA256;
	}
	server {
		listen 127.0.0.1:8447 ssl;
		root $tmp/www;
		ssl_certificate $tmp/rsa-cert.pem;
		ssl_certificate_key $tmp/rsa-key.pem;
		ssl_protocols TLSv1.2;
		ssl_ciphers ECDHE-RSA-AES128-GCM-SHA256;
		ssl_session_tickets off;
		ssl_session_cache off;
	}
	server {
		listen 127.0.0.1:8448 ssl;
		root $tmp/www;
		ssl_certificate $tmp/rsa-cert.pem;
		ssl_certificate_key $tmp/rsa-key.pem;
		ssl_protocols TLSv1.3;
		ssl_session_tickets off;
		ssl_session_cache off;
	}
}
EOF

export OPENSSL_MODULES=$build/provider
export OPENSSL_CONF=$here/provider/ocf.cnf
export OCF_PROVIDER_MODE=${OCF_PROVIDER_MODE:-always}
# The provider's debug messages (sessions made) tell which OCF algorithms
# served the connections.
OCF_PROVIDER_DEBUG=1 nginx -p "$tmp" -c "$tmp/nginx.conf" -e "$tmp/error.log" 2>"$tmp/provider.log" &
nginx_pid=$!
for _ in $(seq 120); do
	ref_openssl s_client -connect 127.0.0.1:8445 </dev/null >/dev/null 2>&1 && break
	sleep 1
done
check "nginx starts with the ocf provider" kill -0 "$nginx_pid"

# The OCF sessions of kind $1 the provider made (its debug messages land in
# the master's stderr and, from the workers, in nginx's error log).
sessions() {
	cat "$tmp/provider.log" "$tmp/error.log" | grep -F "OCF session" | grep -cF ": $1"
}

# fetch NAME PORT WANT SESSION CURL_OPTIONS...: curl (stock OpenSSL) fetches
# the file over the cipher suite WANT, served by OCF sessions SESSION.
fetch() {
	local name=$1 port=$2 want=$3 session=$4
	shift 4
	local b0 n0
	b0=$(ocf_total bytes)
	n0=$(sessions "$session")
	env -u OPENSSL_CONF -u OPENSSL_MODULES curl -sS -k -v "$@" -o "$tmp/got" \
		"https://127.0.0.1:$port/big" 2>"$tmp/curl.log"
	report "$name: curl fetched the file" $?
	grep -E '^\* SSL connection using' "$tmp/curl.log" | sed 's/^/# /'
	report "$name: negotiated $want" "$(grep -q "SSL connection using .*$want" "$tmp/curl.log"; echo $?)"
	report "$name: the file arrived intact ($(cksum <"$tmp/got" | cut -d' ' -f1))" \
		"$(cmp -s "$tmp/got" "$tmp/www/big"; echo $?)"
	rm -f "$tmp/got"
	check_ocf_served "$name" "$b0" "$session" "$n0"
}

if [ "$handshakes_only" = 0 ]; then
fetch "TLS 1.2 AES-GCM" 8443 "TLSv1.2 / ECDHE-ECDSA-AES128-GCM-SHA256" "aes-gcm" \
	--tlsv1.2 --tls-max 1.2
fetch "TLS 1.2 CBC-SHA256, MAC-then-encrypt" 8444 "TLSv1.2 / ECDHE-ECDSA-AES128-SHA256" \
	"aes-cbc + hmac-sha256 (MAC then cipher)" --tlsv1.2 --tls-max 1.2
fetch "TLS 1.2 CBC-SHA384, encrypt-then-MAC" 8446 "TLSv1.2 / ECDHE-ECDSA-AES256-SHA384" \
	"aes-cbc" --tlsv1.2 --tls-max 1.2
fetch "TLS 1.3 AES-128-GCM" 8445 "TLSv1.3 / TLS_AES_128_GCM_SHA256" "aes-gcm" \
	--tlsv1.3 --tls13-ciphers TLS_AES_128_GCM_SHA256
fi

# RSA-2048 full handshakes (no resumption: tickets and the cache are off,
# and each s_client is a new client): with a producer that does RSA's CRT
# operation, OCF makes each handshake's one signature.
handshakes() {
	local name=$1 port=$2 want=$3 n=${HANDSHAKES:-5} k0 k1 p0 p1 ok=0
	shift 3
	k0=$(ocf_total kop_requests)
	p0=$(ocf_producers_total "${KOP_PRODUCER:-}" kop_requests)
	for _ in $(seq $n); do
		ref_openssl s_client -connect 127.0.0.1:$port -servername localhost "$@" \
			</dev/null >"$tmp/s_client.log" 2>&1 &&
			grep -qE "$want" "$tmp/s_client.log" && ok=$((ok + 1))
	done
	grep -m2 -E '^(New|Peer signature type)' "$tmp/s_client.log" | sed 's/^/# /'
	report "$name: $n full handshakes ($want)" "$([ "$ok" -eq "$n" ]; echo $?)"
	k1=$(ocf_total kop_requests)
	if [ "$k0" -eq -2 ] || [ "$k1" -eq -2 ]; then
		report "$name: OCF's key-operation counter readable (ocfctl stats --json)" 1
	elif [ "$k0" -ge 0 ] && [ "$OCF_PROVIDER_MODE" = always ] &&
		[ "$(ocf_kops)" != 0 ]; then
		report "$name: OCF made each handshake's signature (key operations $k0 -> $k1, want +$n)" \
			"$([ $((k1 - k0)) -eq "$n" ]; echo $?)"
	fi
	if [ -n "${KOP_PRODUCER:-}" ]; then
		p1=$(ocf_producers_total "$KOP_PRODUCER" kop_requests)
		report "$name: $KOP_PRODUCER* made each handshake's signature (key operations $p0 -> $p1, want +$n)" \
			"$([ "$p0" -ge 0 ] && [ $((p1 - p0)) -eq "$n" ]; echo $?)"
	fi
}
handshakes "TLS 1.2 ECDHE-RSA, RSA-2048 certificate (RSA-PSS)" 8447 \
	"New, TLSv1.2, Cipher is ECDHE-RSA-AES128-GCM-SHA256" -tls1_2 -no_ticket
handshakes "TLS 1.2 ECDHE-RSA, RSA-2048 certificate (PKCS#1 v1.5)" 8447 \
	"New, TLSv1.2, Cipher is ECDHE-RSA-AES128-GCM-SHA256" -tls1_2 -no_ticket -sigalgs RSA+SHA256
handshakes "TLS 1.3, RSA-2048 certificate (RSA-PSS)" 8448 "New, TLSv1.3" -tls1_3 -no_ticket

[ "$handshakes_only" = 0 ] || { check "nginx is still running" kill -0 "$nginx_pid"; finish; exit; }

# The client with the provider too: libssl decrypts through it.
head -c $((4 * 1024 * 1024)) "$tmp/www/big" >"$tmp/www/small"
for port in 8443 8444 8445 8446; do
	curl -sS -k -o "$tmp/got" "https://127.0.0.1:$port/small" 2>"$tmp/curl.log"
	report "curl with the provider, port $port: the file arrived intact" \
		"$(cmp -s "$tmp/got" "$tmp/www/small"; echo $?)"
done

# The producer unplugged during a transfer (defect 4 of issue 13): with no
# producer left OCF answers -ENODEV before touching the data, so every
# record, in place too, goes on in software and the connection survives.
# The module is loaded again afterwards for the scripts that follow.
# The modules tests/run loaded (OCF_MODULE_DIR: Debian 13's or the debug kernel's build).
swcrypt_ko=${OCF_MODULE_DIR:-$here/kernel}/drivers/swcrypt/ocf_swcrypt.ko
if [ "${OCF_PROVIDER_MODE}" = always ] && grep -q '^ocf_swcrypt ' /proc/modules 2>/dev/null &&
	[ -f "$swcrypt_ko" ]; then
	for port in 8443 8444; do
		env -u OPENSSL_CONF -u OPENSSL_MODULES curl -sS -k --limit-rate 16M -o "$tmp/got" \
			"https://127.0.0.1:$port/big" 2>"$tmp/curl.log" &
		curl_pid=$!
		sleep 1
		check "port $port: the transfer is under way when swcrypt is unplugged" kill -0 "$curl_pid"
		rmmod ocf_swcrypt
		report "port $port: swcrypt unplugged during the transfer" $?
		wait "$curl_pid"
		report "port $port, unplugged mid-transfer: curl fetched the file" $?
		report "port $port, unplugged mid-transfer: the file arrived intact" \
			"$(cmp -s "$tmp/got" "$tmp/www/big"; echo $?)"
		rm -f "$tmp/got"
		insmod "$swcrypt_ko"
		report "port $port: swcrypt loaded again" $?
	done
fi

check "nginx is still running" kill -0 "$nginx_pid"
report "no worker crashed" "$(! grep -E 'exited on signal|segfault' "$tmp/error.log"; echo $?)"
cat "$tmp/provider.log" "$tmp/error.log" | grep -m4 -E 'unavailable|opened by' | sed 's/^/# /'
finish
