#!/usr/bin/env bash
# Module lifecycle, run inside the VM after ocf_vm_tests (as root, with
# ocf.ko, ocf_swcrypt.ko and ocf_null.ko instances=2 loaded):
# - ocf cannot be unloaded while producer modules are loaded, nor while a
#   process holds /dev/ocf open (even with every producer gone);
# - once the file is closed it unloads cleanly and /dev/ocf goes with it;
# - everything loads again and works;
# - a process killed with key ops held by null0 and more retried as busy
#   each tick, then every module unloaded under them: nothing is reported
#   (a retry's timer must not outlive ocf), and it all loads again.
# Prints "ok - ..." / "not ok - ..." lines; exits non-zero if anything failed.
# It leaves the three modules loaded, as it found them.
#
#   tests/vm/module-lifecycle.sh [BUILD_DIR]     (default: $OCF_VM_PROJECT/build)
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
proj=${OCF_VM_PROJECT:-$here}
build=${1:-$proj/build}
# The modules tests/run loaded: $OCF_MODULE_DIR, relative to the project.
mod=${OCF_MODULE_DIR:-kernel}
case $mod in /*) ;; *) mod=$proj/$mod ;; esac
ocf_ko=$mod/ocf.ko
swcrypt_ko=$mod/drivers/swcrypt/ocf_swcrypt.ko
null_ko=$mod/drivers/null/ocf_null.ko
vmtests=$build/tests/ocf_vm_tests
ocfctl=$build/tools/ocfctl/ocfctl

failed=0
ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; failed=$((failed + 1)); }
# check DESCRIPTION CMD...: runs CMD quietly; on failure shows its output.
check() {
	local what=$1 out
	shift
	if out=$("$@" 2>&1); then
		ok "$what"
	else
		not_ok "$what"
		[ -z "$out" ] || printf '%s\n' "$out" | tail -n 20 | sed 's/^/#   /'
	fi
}
refused() { ! "$@"; }
loaded() { [ -d "/sys/module/$1" ]; }
not_loaded() { ! loaded "$1"; }
all_loaded() { loaded ocf && loaded ocf_swcrypt && loaded ocf_null; }
absent() { ! [ -e "$1" ]; }
char_device() { [ -c "$1" ]; }
holds_ocf() { [ "$(readlink "/proc/$1/fd/3" 2>/dev/null)" = /dev/ocf ]; }
# wait_for CMD...: up to 5 s, for what the kernel finishes asynchronously.
wait_for() {
	local _
	for _ in $(seq 50); do
		"$@" && return 0
		sleep 0.1
	done
	"$@"
}

if ! all_loaded; then
	not_ok "ocf, ocf_swcrypt and ocf_null are loaded before the lifecycle test"
	exit 1
fi

# 1. The producer modules depend on ocf.
check "rmmod ocf is refused while producer modules are loaded" refused rmmod ocf
check "ocf stays loaded and /dev/ocf stays after the refused rmmod" eval 'loaded ocf && char_device /dev/ocf'

# 2. An open file holds the module even when no producer is left.
sleep 600 3<>/dev/ocf &
holder=$!
check "a background process holds /dev/ocf open" wait_for holds_ocf "$holder"
check "rmmod ocf_null succeeds while a /dev/ocf file is open" rmmod ocf_null
check "rmmod ocf_swcrypt succeeds while a /dev/ocf file is open" rmmod ocf_swcrypt
check "rmmod ocf is refused while a process holds /dev/ocf open" refused rmmod ocf
check "ocf stays loaded while the file is open" loaded ocf
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null

# 3. Closed: it goes, and its device node with it.
check "rmmod ocf succeeds once the file is closed" rmmod ocf
check "the ocf module is gone" wait_for not_loaded ocf
check "/dev/ocf is gone with it" wait_for absent /dev/ocf

# 4. And it all comes back.
reload() {
	loaded ocf || check "insmod ocf.ko" insmod "$ocf_ko"
	loaded ocf_swcrypt || check "insmod ocf_swcrypt.ko" insmod "$swcrypt_ko"
	loaded ocf_null || check "insmod ocf_null.ko instances=2" insmod "$null_ko" instances=2
	check "/dev/ocf is back after the reload" wait_for char_device /dev/ocf
	check "ocfctl version works after the reload" "$ocfctl" version
	check "swcrypt, null0 and null1 are registered again" \
		"$vmtests" --use-colour no "the expected producers are registered: swcrypt, null0 and null1"
	check "operations run after the reload" \
		"$vmtests" --use-colour no "after the bad-input table the module still works"
}
reload

# 5. Key ops in every state when their process dies and the modules go:
# 64 held by null0, the rest refused as busy and retried each tick.
nullp=/sys/module/ocf_null/parameters
echo 1 >$nullp/kops && echo 0 >$nullp/unplug && echo 0 >$nullp/replug && echo 0 >$nullp/kops
out=$(mktemp)
"$vmtests" --use-colour no "[kop-holder]" >"$out" 2>&1 &
holder=$!
check "a process holds 200 key ops on null0 (64 held, the rest busy)" \
	wait_for grep -q "holding 200 key ops" "$out"
kill -9 "$holder" 2>/dev/null
check "rmmod ocf_swcrypt under them" rmmod ocf_swcrypt
check "rmmod ocf_null under them" rmmod ocf_null
check "the killed holder exits" wait_for eval "! kill -0 $holder 2>/dev/null"
check "rmmod ocf right after (the last busy retries may still be on their timers)" wait_for rmmod ocf
wait "$holder" 2>/dev/null
rm -f "$out"
reload

echo "module lifecycle: $failed failed"
[ "$failed" -eq 0 ]
