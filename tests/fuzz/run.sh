#!/usr/bin/env bash
# The fuzz suite, run inside the VM as root with ocf.ko, ocf_swcrypt.ko and
# ocf_null.ko (instances=2) loaded:
#   1. ocf_fuzz fuzz: CALLS random ioctls (root and nobody, producers going
#      away under them);
#   2. ocf_fuzz kill9: ROUNDS children killed with SIGKILL mid-traffic;
#   3. then nothing holds /dev/ocf, pins are balanced, every module unloads,
#      and unreclaimable slab is back where it started.
# Prints "ok - ..." / "not ok - ..." lines; exits non-zero if anything failed.
# tools/vm fails the run on any kernel report besides.
#
#   tests/fuzz/run.sh [--calls N] [--rounds N] [--seed N] [-- FUZZ_ARGS...]
#   (0 calls or 0 rounds skips that part)
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
proj=${OCF_VM_PROJECT:-$here}
build=${BUILD:-$proj/build}
case $build in /*) ;; *) build=$proj/$build ;; esac
fuzz=$build/tests/fuzz/ocf_fuzz
calls=100000 rounds=100 seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
while [ $# -gt 0 ]; do
	case $1 in
	--calls) calls=$2; shift 2 ;;
	--rounds) rounds=$2; shift 2 ;;
	--seed) seed=$2; shift 2 ;;
	--) shift; break ;;
	*) echo "usage: $0 [--calls N] [--rounds N] [--seed N] [-- FUZZ_ARGS...]" >&2; exit 2 ;;
	esac
done

failed=0
ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; failed=$((failed + 1)); }
loaded() { [ -d "/sys/module/$1" ]; }

# Gives back empty slabs, and on the debug kernel empties KASAN's quarantine,
# whose freed objects /proc/slabinfo still counts as live (up to 1/32 of RAM).
shrink_slabs() {
	local s
	for s in /sys/kernel/slab/*/shrink; do
		echo 1 >"$s"
	done 2>/dev/null
}

# Unreclaimable slab in KiB once the caches that can be dropped are. Of
# /proc/meminfo's figures SUnreclaim is the one that a leaked kmalloc()
# raises and nothing else brings down; dentries, inodes and page cache that
# the run leaves behind are reclaimable and dropped first.
sunreclaim() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	shrink_slabs
	sleep 1
	awk '/^SUnreclaim:/ { print $2 }' /proc/meminfo
}
# Bytes of live kmalloc objects, the allocations of our modules: finer than
# SUnreclaim, which counts whole slab pages.
kmalloc_kib() {
	shrink_slabs
	awk '/^kmalloc-/ { sum += $2 * $4 } END { print int(sum / 1024) }' /proc/slabinfo
}
# stat_refresh folds the per-CPU counters first: /proc/vmstat alone lags by
# up to a second and reads a few pages off either way.
pins() {
	echo 1 >/proc/sys/vm/stat_refresh 2>/dev/null
	awk '/^nr_foll_pin_acquired/ { a = $2 } /^nr_foll_pin_released/ { r = $2 } END { print a - r }' /proc/vmstat
}

slab_start=$(sunreclaim)
kmalloc_start=$(kmalloc_kib)
slabinfo_start=$(mktemp)
cat /proc/slabinfo >"$slabinfo_start"
echo "# start: SUnreclaim $slab_start KiB, kmalloc objects $kmalloc_start KiB, pins outstanding $(pins), seed $seed"

if [ "$calls" -gt 0 ]; then
	if "$fuzz" fuzz --seed "$seed" --calls "$calls" \
		--null-module "${OCF_MODULE_DIR:-$proj/kernel}/drivers/null/ocf_null.ko" "$@"; then
		ok "fuzz: $calls calls without an invariant failure (seed $seed)"
	else
		not_ok "fuzz: $calls calls (seed $seed; repeat: make fuzz SEED=$seed CALLS=$calls)"
	fi
fi
if [ "$rounds" -gt 0 ]; then
	# The debug kernel (KASAN, lockdep) runs everything several times
	# slower, and a killed child's exit with it.
	max_death=2
	case $(uname -r) in *-ocf-debug) max_death=6 ;; esac
	if "$fuzz" kill9 --seed "$seed" --rounds "$rounds" --max-death "$max_death"; then
		ok "kill -9: $rounds rounds, each back to zero in flight, no session, pins balanced"
	else
		not_ok "kill -9: $rounds rounds (seed $seed)"
	fi
fi

holders=$(find /proc/[0-9]*/fd -maxdepth 1 -lname /dev/ocf 2>/dev/null | cut -d/ -f3 | sort -u | tr '\n' ' ')
if [ -z "$holders" ]; then
	ok "no process holds /dev/ocf open after the run"
else
	not_ok "processes still hold /dev/ocf: $holders"
	# Where they are stuck, for the log.
	for p in $holders; do
		for t in /proc/"$p"/task/*; do
			echo "# $t: $(tr '\0' ' ' <"$t"/comm) state $(awk '/^State/ { print $2 }' "$t"/status) wchan $(cat "$t"/wchan 2>/dev/null)"
			sed 's/^/#   /' "$t"/stack 2>/dev/null
		done
	done
	kill -9 $holders 2>/dev/null
	sleep 2
fi

p=$(pins)
if [ "$p" -eq 0 ]; then
	ok "nr_foll_pin_acquired == nr_foll_pin_released"
else
	not_ok "$p pinned pages never released (/proc/vmstat)"
fi

for m in ocf_null ocf_swcrypt ocf_hifn_model ocf_hifn ocf; do
	loaded "$m" || continue
	if out=$(rmmod "$m" 2>&1); then
		ok "rmmod $m"
	else
		not_ok "rmmod $m: $out"
	fi
done

# Tolerances. An idle run (no calls, no rounds) moves SUnreclaim by ~100 KiB
# and live kmalloc objects by 0; the short run without leaks, by up to
# 1.4 MiB and 0.4 MiB: the hundreds of processes it forks leave per-CPU and
# partial slabs of task_struct, proc inodes, kmalloc-4k... behind (the run
# prints the caches that grew most). So a leak shows here from about 1 MiB
# of live kmalloc objects on, e.g. one 256-byte object for every 100 of the
# kill -9 test's ~350,000 async operations; KMEMLEAK on the debug kernel is
# the precise check.
slab_end=$(sunreclaim)
kmalloc_end=$(kmalloc_kib)
echo "# end: SUnreclaim $slab_end KiB, kmalloc objects $kmalloc_end KiB"
# The caches that grew most (live objects), to tell a leak from noise.
awk 'NR == FNR { if (NR > 2) start[$1] = $2 * $4; next }
     FNR > 2 { d = $2 * $4 - start[$1]; if (d > 16384) printf "#   %s +%d KiB\n", $1, d / 1024 }' \
	"$slabinfo_start" /proc/slabinfo | sort -t+ -k2 -rn | head -n 10
rm -f "$slabinfo_start"
slab_tol=${OCF_FUZZ_SLAB_TOLERANCE_KIB:-4096}
kmalloc_tol=${OCF_FUZZ_KMALLOC_TOLERANCE_KIB:-1024}
if [ "$slab_end" -le $((slab_start + slab_tol)) ]; then
	ok "SUnreclaim back to its start within $slab_tol KiB ($slab_start -> $slab_end KiB)"
else
	not_ok "SUnreclaim grew by $((slab_end - slab_start)) KiB ($slab_start -> $slab_end KiB; tolerance $slab_tol)"
fi
if [ "$kmalloc_end" -le $((kmalloc_start + kmalloc_tol)) ]; then
	ok "live kmalloc objects back to their start within $kmalloc_tol KiB ($kmalloc_start -> $kmalloc_end KiB)"
else
	not_ok "live kmalloc objects grew by $((kmalloc_end - kmalloc_start)) KiB ($kmalloc_start -> $kmalloc_end KiB; tolerance $kmalloc_tol)"
fi

echo "fuzz suite: $failed failed"
[ "$failed" -eq 0 ]
