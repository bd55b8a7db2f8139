#!/bin/sh
# Runs inside the tools/vm guest (see kmod/test/run): loads bp.ko, runs the functional tests, the
# bp-socket compatibility tests, the stress test and the random-syscall stress (which unloads the
# module), and fails on any kernel warning in dmesg.
# usage: guest.sh RESULTS_DIR [FUZZ_SEED [FUZZ_SECONDS]]
cd "$(dirname "$0")" || exit 2
results=${1:-results}
fuzz_seed=${2:-$(date +%s)}
fuzz_seconds=${3:-20}
params="node_timeout_ms=1000"
ko=$(cd .. && pwd)/bp.ko
pass=0 failed=0 skipped=0

count() {	# count TAP lines of $1 into pass/failed/skipped (a skip is "ok ... # SKIP why")
	p=$(grep -c '^ok ' "$1")
	s=$(grep -c '^ok .*# SKIP' "$1")
	f=$(grep -c '^not ok ' "$1")
	pass=$((pass + p - s))
	skipped=$((skipped + s))
	failed=$((failed + f))
}

# The debug kernel (tools/vm/debug-kernel, release *-bpdebug): keep the boot log, check lockdep is
# still on (its first report turns it off), and have kmemleak forget what boot left behind.
debug=0
case $(uname -r) in *-bpdebug) debug=1 ;; esac
if [ $debug = 1 ]; then
	dmesg >"$results/dmesg-boot.txt"
	[ -e /sys/kernel/debug/kmemleak ] || mount -t debugfs debugfs /sys/kernel/debug
	echo scan >/sys/kernel/debug/kmemleak
	echo clear >/sys/kernel/debug/kmemleak
fi
# Time limits per program; the debug kernel (KASAN, lockdep under TCG) is several times slower.
slow=1
[ $debug = 1 ] && slow=3
dmesg -C
dmesg -n 1
if ! insmod "$ko" $params; then
	echo "not ok - insmod bp.ko"
	exit 1
fi

echo "# bp_tests"
timeout -k 5 $((300 * slow)) ./bp_tests >"$results/bp_tests.tap" 2>&1
rc=$?
cat "$results/bp_tests.tap"
count "$results/bp_tests.tap"
[ $rc = 0 ] || { echo "not ok - bp_tests exited with $rc"; failed=$((failed + 1)); }

echo "# bp_compat"
timeout -k 5 $((120 * slow)) ./bp_compat >"$results/bp_compat.tap" 2>&1
rc=$?
cat "$results/bp_compat.tap"
count "$results/bp_compat.tap"
[ $rc = 0 ] || { echo "not ok - bp_compat exited with $rc"; failed=$((failed + 1)); }

echo "# bp_stress"
timeout -k 5 $((240 * slow)) ./bp_stress "$ko" "$params" >"$results/bp_stress.tap" 2>&1
rc=$?
cat "$results/bp_stress.tap"
count "$results/bp_stress.tap"
[ $rc = 0 ] || { echo "not ok - bp_stress exited with $rc"; failed=$((failed + 1)); }

echo "# bp_fuzz"
grep -q '^bp ' /proc/modules || insmod "$ko" $params
timeout -k 5 $((fuzz_seconds + 60 * slow)) ./bp_fuzz "$fuzz_seconds" "$fuzz_seed" >"$results/bp_fuzz.tap" 2>&1
rc=$?
cat "$results/bp_fuzz.tap"
count "$results/bp_fuzz.tap"
[ $rc = 0 ] || { echo "not ok - bp_fuzz exited with $rc (seed $fuzz_seed)"; failed=$((failed + 1)); }

if grep -q '^bp ' /proc/modules && ! rmmod bp; then
	echo "not ok - rmmod bp at the end"
	failed=$((failed + 1))
fi

if [ $debug = 1 ]; then
	# kmemleak reports an object unreferenced for 5 s, unchanged between two scans.
	sleep 6
	if ! { echo scan >/sys/kernel/debug/kmemleak && echo scan >/sys/kernel/debug/kmemleak &&
		cat /sys/kernel/debug/kmemleak >"$results/kmemleak.txt"; }; then
		echo "not ok - kmemleak found no leak (kmemleak is off: see $results/dmesg*.txt)"
		failed=$((failed + 1))
	elif [ -s "$results/kmemleak.txt" ]; then
		echo "not ok - kmemleak found no leak"
		cat "$results/kmemleak.txt"
		failed=$((failed + 1))
	else
		echo "ok - kmemleak found no leak"
		pass=$((pass + 1))
	fi
	if grep -q 'debug_locks: *1' /proc/lockdep_stats; then
		echo "ok - lockdep still on"
		pass=$((pass + 1))
	else
		echo "not ok - lockdep still on (turned off by a report: see $results/dmesg*.txt)"
		failed=$((failed + 1))
	fi
fi

dmesg >"$results/dmesg.txt"
# One list of what a clean kernel log must not show, shared with itests/vm-e2e/guest.sh.
if ! ../../tools/vm/kernel-log-check "$results/dmesg.txt"; then
	echo "not ok - kernel log is clean"
	cat "$results/dmesg.txt"
	failed=$((failed + 1))
else
	echo "ok - kernel log is clean"
	pass=$((pass + 1))
fi

echo "$pass passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
