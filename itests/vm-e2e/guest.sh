#!/bin/sh
# Runs inside the test VM (see itests/vm-e2e/run): the real node (the Karaf distribution, started
# once and restarted once) serving AF_BP sockets through the real kernel module, exercised by
# ordinary programs. TAP on stdout; exits non-zero on any failure.
# usage: guest.sh NODE_DIR BP_KO RESULTS_DIR [bench]
node=$1
ko=$2
results=$3
mode=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
e2e=$here/bp_e2e
# The user tools (tools/bp), as a user runs them.
PATH=$here/../../tools/bp:$PATH
pw=$(cat "$results/../client-password")
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}
export PATH=$JAVA_HOME/bin:$PATH
# Karaf under emulation: C1 only and the serial collector start it fastest, and under TCG they also
# give the highest AF_BP throughput, because C2 compilation alone took ~45% of the node's CPU time
# (docs/performance.md). On real hardware the default JIT is the right choice.
export EXTRA_JAVA_OPTS="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
n=0 failed=0

check() {	# check DESCRIPTION COMMAND...: one TAP line from a command's status
	desc=$1
	shift
	n=$((n + 1))
	if "$@"; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc"
		failed=$((failed + 1))
	fi
}

# receive EID FILE SECONDS: bprecv in the background ($receiver), once it is bound; its -v lines in
# $results/EID.log.
receive() {
	bprecv -v -t "$3" -o "$2" "$1" 2>"$results/$1.log" &
	receiver=$!
	i=0
	while ! grep -q bound "$results/$1.log" && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
}

expect_exit() {	# expect_exit CODE COMMAND...: true if the command exits with CODE
	want=$1
	shift
	"$@" >/dev/null 2>&1
	[ $? = "$want" ]
}

karaf_pid() {
	pgrep -f "karaf.home=$node" | head -n 1
}

start_karaf() {
	t0=$(date +%s)
	(cd "$node" && exec bin/karaf server >"$results/karaf-$1.out" 2>&1 &)
}

# bin/client is itself a JVM: used only where a person would look at the shell. Karaf 4.4's client
# runs a command reliably only in batch mode, from standard input.
client() {
	echo "$*" | timeout 300 "$node/bin/client" -u e2e -p "$pw" -r 60 -d 2 -b 2>&1
}

status_says() {
	out=$(client bp:status)
	echo "$out" >>"$results/status.txt"
	echo "$out" | grep -q "$1"
}

await_karaf_exit() {
	i=0
	while [ -n "$(karaf_pid)" ] && [ $i -lt 300 ]; do
		sleep 0.2
		i=$((i + 1))
	done
	[ -z "$(karaf_pid)" ]
}

# pax-logging asks for the local host name; give the guest one that resolves.
hostname bpvm
echo "127.0.0.1 bpvm" >>/etc/hosts
trap 'cp "$node/data/log/karaf.log" "$results/karaf.log" 2>/dev/null' EXIT
dmesg -C
dmesg -n 1

if [ "$mode" = bench ]; then
	insmod "$ko"
	start_karaf bench
	# With the optimising compiler the node starts slowly under emulation: wait as long as it takes.
	check "the node registers" "$e2e" wait-node 900 1
	echo "# node ready $(( $(date +%s) - t0 )) s after start"
	echo "# benchmark: AF_BP through the node against UDP on loopback, in this VM"
	"$e2e" bench 1 | tee "$results/bench.txt"
	# Where the node spent its CPU during the run, per thread (clock ticks), to find the bottleneck.
	for t in /proc/"$(karaf_pid)"/task/*; do
		echo "$(cut -d' ' -f14,15 "$t/stat" | awk '{print $1 + $2}') $(cat "$t/comm")"
	done | sort -rn | head -n 15 >"$results/node-threads.txt"
	kill "$(karaf_pid)" 2>/dev/null
	await_karaf_exit
	exit 0
fi

echo "# 1. the node starts before the module is loaded"
start_karaf first
check "bp:status says the kernel module is not loaded" \
	status_says "Transport:  kernel - not connected: kernel module not loaded"
echo "# Karaf answered its shell $(( $(date +%s) - t0 )) s after start"
check "insmod bp.ko" insmod "$ko"
t1=$(date +%s)
check "the running node registers when the module appears" "$e2e" wait-node 120 1
echo "# registered $(( $(date +%s) - t1 )) s after insmod"
check "bp:status shows the node registered" status_says "Transport:  kernel - connected: registered as node"

echo "# 2. applications through module, bridge, registry and backend"
"$e2e" test 1 >"$results/bp_e2e.tap" 2>&1
rc=$?
sed 's/^/    /' "$results/bp_e2e.tap"
check "bp_e2e functional suite ($(grep -c '^ok' "$results/bp_e2e.tap") passed)" [ $rc = 0 ]
client bp:bundles -v >"$results/bundles.txt"
check "the node built the bundle with lifetime, priority and reports from setsockopt" \
	grep -E -q "ipn:1.14 .*expedited.*lifetime=120000ms reports=delivery report-to=ipn:1.10" "$results/bundles.txt"
check "the node built the bundle with the hop limit of the control message" \
	grep -E -q "ipn:1.14 .*lifetime=120000ms reports=delivery report-to=ipn:1.10 cos=expedited ordinal=0 hop-limit=7 hops=0" \
	"$results/bundles.txt"

echo "# 3. the bp* tools"
check "bpping: the node's echo service answers 3 of 3" sh -c \
	"bpping -c 3 -i 200 ipn:1.9002 >'$results/bpping.txt' && grep -q '3 bundles sent, 3 answered, 0% lost' '$results/bpping.txt'"
bpecho -n 1 ipn:1.40 2>"$results/bpecho.log" &
echo_pid=$!
check "bpping: bpecho answers" sh -c "bpping -c 1 -W 60 ipn:1.40 >'$results/bpping-echo.txt'"
wait $echo_pid
head -c 100000 /dev/urandom >"$results/payload.bin"
receive ipn:1.41 "$results/payload-got.bin" 120
check "bpsend -f: 100 kB from a file" bpsend -s ipn:1.42 -f "$results/payload.bin" ipn:1.41
wait $receiver
check "bprecv -o: the same bytes arrive" cmp "$results/payload.bin" "$results/payload-got.bin"
check "bprecv -v names the source" grep -q "from ipn:1.42, 100000 bytes" "$results/ipn:1.41.log"
mkdir -p "$results/bpcp-in"
head -c 1000000 /dev/urandom >"$results/bpcp.bin"
bpcp -r -q -t 300 ipn:1.45 "$results/bpcp-in" >"$results/bpcp-recv.txt" 2>&1 &
copier=$!
# No wait for the receiver to bind: the node keeps bundles for an endpoint until it is bound.
check "bpcp: 1 MB in 16 bundles" bpcp -q -s ipn:1.46 "$results/bpcp.bin" ipn:1.45
wait $copier
check "bpcp -r: the SHA-256 of the whole file matches at the far end" \
	grep -q "bpcp.bin: 1000000 bytes, SHA-256 verified" "$results/bpcp-recv.txt"
check "and the copy is the file" cmp "$results/bpcp.bin" "$results/bpcp-in/bpcp.bin"
check "bpsend: a malformed EID is a usage error (exit 64)" expect_exit 64 bpsend ipn:1 text
check "bprecv: nothing within the timeout (exit 1)" expect_exit 1 bprecv -t 1 ipn:1.43
check "bpsend: the kernel refuses the null endpoint as destination (exit 2)" expect_exit 2 bpsend dtn:none x

python3 "$here/python_e2e.py" >"$results/python.tap" 2>&1
rc=$?
sed 's/^/    /' "$results/python.tap"
check "the Python binding against the node ($(grep -c '^ok' "$results/python.tap") passed)" [ $rc = 0 ]

# The node's JVM flags: under TCG they are also the ones that proved stable (a default-flags JVM
# crashed once in C1-compiled JDK code there).
java $EXTRA_JAVA_OPTS -cp "$(cat "$results/../java-classpath")" JavaE2e >"$results/java.tap" 2>&1
rc=$?
sed 's/^/    /' "$results/java.tap"
check "the Java binding against the node ($(grep -c '^ok' "$results/java.tap") passed)" [ $rc = 0 ]

echo "# 4. options and status reports across a second node (ipn:2, on the host)"
"$e2e" peer 1 2 >"$results/peer.tap" 2>&1
rc=$?
sed 's/^/    /' "$results/peer.tap"
check "every baseline option by setsockopt and by control message, to the peer ($(grep -c '^ok' "$results/peer.tap") passed)" \
	[ $rc = 0 ]
check "bp(7)'s example program: the peer's delivery report reaches the sending application" \
	sh -c "'$here/bp_report' 2 9002 60 >'$results/bp_report.txt' 2>&1"
sed 's/^/    # /' "$results/bp_report.txt"
check "it matched the report to the bundle its send became" \
	grep -q "^bundle [0-9]*\.[0-9]* delivered, reported by ipn:2.0" "$results/bp_report.txt"

echo "# 5. kill -9 the node while an application is bound; start it again"
receive ipn:1.20 "$results/recv-restart.txt" 600
kill -9 "$(karaf_pid)"
check "the node is gone" await_karaf_exit
check "sendto says ENETDOWN while no node is registered" "$e2e" expect-no-node
start_karaf second
check "the restarted node registers" "$e2e" wait-node 300 1
echo "# registered $(( $(date +%s) - t0 )) s after the restart"
check "a socket sends after the restart" bpsend -s ipn:1.21 ipn:1.20 "after restart"
wait $receiver
check "the application bound before the crash receives without binding again" \
	grep -q "from ipn:1.21, 13 bytes" "$results/ipn:1.20.log"
check "and its payload" grep -qx "after restart" "$results/recv-restart.txt"

echo "# 6. unload and reload the module while the node runs"
check "rmmod bp with no socket open" rmmod bp
check "bp:status says the module went away" status_says "Transport:  kernel - not connected: kernel module"
check "insmod bp.ko again" insmod "$ko"
check "the node reconnects by itself" "$e2e" wait-node 120 1
receive ipn:1.22 "$results/recv-reload.txt" 120
check "a socket sends after the reload" bpsend -s ipn:1.23 ipn:1.22 "after reload"
wait $receiver
check "and the datagram arrives" grep -q "from ipn:1.23, 12 bytes" "$results/ipn:1.22.log"

kill "$(karaf_pid)" 2>/dev/null
await_karaf_exit || kill -9 "$(karaf_pid)" 2>/dev/null
# Every socket is closed and the node is gone: the module must unload (a leaked reference would stop it).
check "rmmod bp at the end" rmmod bp
dmesg >"$results/dmesg.txt"
check "kernel log is clean (tools/vm/kernel-log-check)" "$here/../../tools/vm/kernel-log-check" "$results/dmesg.txt"
echo "# $n checks, $failed failed"
[ $failed = 0 ]
