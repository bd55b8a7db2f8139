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
n=0 failed=0 skipped=0

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

skip() {	# skip DESCRIPTION REASON: a check that does not run here, said visibly (TAP's SKIP)
	n=$((n + 1))
	skipped=$((skipped + 1))
	echo "ok $n - $1 # SKIP $2"
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
	# Not holding fd 3, bp_e2e hold's stdin (hold_start): its end is the hold's command to close.
	(cd "$node" && exec bin/karaf server >"$results/karaf-$1.out" 2>&1 3>&- &)
}

# bin/client is itself a JVM: used only where a person would look at the shell. Karaf 4.4's client
# runs a command reliably only in batch mode, from standard input.
client() {
	echo "$*" | timeout 300 "$node/bin/client" -u e2e -p "$pw" -r 60 -d 2 -b 2>&1
}

# A shell command through OpenSSH with the run's key (bin/client is a JVM: a minute under emulation).
shell() {
	cp "$results/../ssh-key" /tmp/bp-e2e-key 2>/dev/null && chmod 600 /tmp/bp-e2e-key
	timeout 300 ssh -q -i /tmp/bp-e2e-key -p 8101 -o BatchMode=yes -o StrictHostKeyChecking=no \
		-o UserKnownHostsFile=/dev/null -o LogLevel=ERROR e2ekey@127.0.0.1 "$*" </dev/null 2>&1
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

# Section 7: the node's parts replaced one after the other under steady traffic (issue 19). Five
# flows run the whole time, each a sender and a receiver on sockets opened once (bp_e2e flow): a local
# one, ipn:1.60 to ipn:1.61, and one through a second node on each convergence layer, to that node's
# echo service and back (the nodes run on the host, started by run):
#   tcpclv4  ipn:1.62 to ipn:2.9002 over TCPCLv4, and back the same way
#   tcpclv3  ipn:1.63 to ipn:3.9002 over TCPCLv3, and back the same way
#   mtcp     ipn:1.64 to ipn:4.9002 over MTCP, back through ipn:2 over TCPCLv4
#   udp      ipn:1.65 to ipn:5.9002 over UDP, back through ipn:2 over TCPCLv4
# MTCP and UDP acknowledge nothing: what ipn:4 or ipn:5 sent while this node's layer was away would
# be lost for good, by the protocol's design, so they carry only the way out (and their inbound links
# name no peer to answer on). Each change is a phase of every flow: they print, per phase, how long
# receiving paused and which errnos refused a send (retried with the same datagram).
flows="local tcpclv4 tcpclv3 mtcp udp"
flow_received() {	# flow_received NAME: how many datagrams that flow received so far
	f=$(cat "$results/flow-$1.status" 2>/dev/null)
	echo "${f#* }" | grep -x '[0-9][0-9]*' || echo 0
}

await_flows() {	# await_flows N [SECONDS]: every flow receives N more datagrams (up to 120 s)
	for f in $flows; do
		eval "want_$f=\$(( \$(flow_received $f) + $1 ))"
	done
	end=$(( $(date +%s) + ${2:-120} ))
	while [ "$(date +%s)" -lt $end ]; do
		behind=
		for f in $flows; do
			eval "[ \"\$(flow_received $f)\" -ge \$want_$f ]" || { behind=$f; break; }
		done
		[ -z "$behind" ] && return 0
		sleep 0.1
	done
	return 1
}

start_flow() {	# start_flow NAME SRC DSTNODE DSTSVC RECVSVC: bp_e2e flow in the background, its PID in $flow_NAME
	touch "$results/flow-$1.ctl"
	"$e2e" flow 1 "$2" "$3" "$4" "$5" 50 "$results/flow-$1.ctl" "$results/flow-$1.status" >"$results/flow-$1.txt" 2>&1 &
	eval "flow_$1=\$!"
}

# swap NAME COMMAND: a new phase of every flow, the shell command through OpenSSH, then traffic
# through every flow again. The command's own time is printed; the pauses come with the flows' figures.
swap() {
	for f in $flows; do
		echo "phase $1" >>"$results/flow-$f.ctl"
	done
	t_swap=$(date +%s%N)
	shell "$2" >"$results/swap-$1.txt"
	rc=$?
	t_done=$(date +%s%N)
	check "$1: '$(printf '%s' "$2" | tr '\n' ';' | sed 's/;/; /g')' succeeds" sh -c "[ $rc = 0 ] && ! grep -q -i 'error' '$results/swap-$1.txt'"
	await_flows 10 30 || {
		# Not yet: where the node's threads are, while it is still stuck.
		jstack "$(karaf_pid)" >"$results/swap-$1-threads.txt" 2>&1
		await_flows 10 90
	}
	rc=$?
	t_flow=$(date +%s%N)
	echo "# $1: the command took $(( (t_done - t_swap) / 1000000 )) ms; every flow carried 10 more datagrams $(( (t_flow - t_done) / 1000000 )) ms after it returned"
	check "$1: every flow carries datagrams again, on the sockets it opened at the start" [ $rc = 0 ]
	[ $rc = 0 ] && return 0
	# Stuck: what the node says, then the end of the section (the next changes would only wait too).
	for f in $flows; do
		echo "# flow $f stuck at (sent received): $(cat "$results/flow-$f.status")"
		kill $(eval echo \$flow_$f) 2>/dev/null
	done
	shell "bp:status -v" >"$results/swap-stuck-status.txt"
	shell "bp:sockets" >"$results/swap-stuck-sockets.txt"
	shell "bp:links" >"$results/swap-stuck-links.txt"
	return 1
}

swap_checks() {
	rm -f "$results"/flow-*.ctl "$results"/flow-*.status
	start_flow local 60 1 61 61
	start_flow tcpclv4 62 2 9002 62
	start_flow tcpclv3 63 3 9002 63
	start_flow mtcp 64 4 9002 64
	start_flow udp 65 5 9002 65
	check "five flows, 20 datagrams a second each, four of them through a second node each (TCPCLv4, TCPCLv3, MTCP, UDP), are running" \
		await_flows 20
	shell "bp:status -v" >"$results/swap-status-before.txt"
	check "a shell command through OpenSSH" grep -q "Transport:  kernel - connected" "$results/swap-status-before.txt"
	shell "bp:links" >"$results/swap-links-before.txt"
	check "bp:links: the links to ipn:2, 3, 4 and 5 are up, over TCPCLv4, TCPCLv3, MTCP and UDP" sh -c \
		"grep -q '^to2 .*tcpclv4 .*UP' '$results/swap-links-before.txt' && grep -q '^to3 .*tcpclv3 .*UP' '$results/swap-links-before.txt' &&
		 grep -q '^to4 .*mtcp .*UP' '$results/swap-links-before.txt' && grep -q '^to5 .*udp .*UP' '$results/swap-links-before.txt'"
	# An operator's setting, which every replacement and the upgrade must keep: written into the etc/ file
	# as an operator does, and in effect (ConfigAdmin has it) before the first change. Not with
	# config:property-set: under load, Karaf's write of the file raced fileinstall's reading of it, and
	# the setting was lost before any part was replaced (2 of 4 runs).
	sed -i 's/^duplicateMemory *=.*/duplicateMemory = 777/' "$node/etc/org.bpsockets.registry.cfg"
	setting_end=$(( $(date +%s) + 60 ))
	until shell "config:property-get -p org.bpsockets.registry duplicateMemory" >"$results/swap-setting-set.txt" &&
		grep -q "^777" "$results/swap-setting-set.txt" || [ "$(date +%s)" -ge $setting_end ]; do
		sleep 1
	done
	check "an operator's setting in etc/org.bpsockets.registry.cfg is in effect" grep -q "^777" "$results/swap-setting-set.txt"
	new_version=$(cat "$results/../upgrade/version")
	swap netlink-bridge "bundle:update org.bpsockets.netlink" &&
	swap registry "bundle:update org.bpsockets.registry" &&
	swap embedded-backend "bundle:update org.bpsockets.backend.embedded" &&
	swap tcpclv4 "bundle:update org.bpsockets.cla.tcpclv4" &&
	swap tcpclv3 "bundle:update org.bpsockets.cla.tcpclv3" &&
	swap mtcp "bundle:update org.bpsockets.cla.mtcp" &&
	swap udp "bundle:update org.bpsockets.cla.udp" &&
	swap qos-baseline "bundle:update org.bpsockets.qos.baseline" &&
	swap api-refresh "bundle:refresh org.bpsockets.api" &&
	swap backend-feature "feature:uninstall bpsockets-backend-embedded
feature:install bpsockets-backend-embedded" &&
	# A newer build of every feature the node runs (run made it: newer-build), installed into it.
	# The node's boot features that the newer build has (not JNA, which keeps its version).
	upgrade=$(grep -o 'bpsockets-[a-z0-9-]*/' "$node/etc/org.apache.karaf.features.cfg" | tr -d / | sort -u |
		while read -r f; do
			if grep -q "<feature name=\"$f\" version=\"$new_version\"" "$results/../upgrade/features.xml"; then
				printf '%s/%s ' "$f" "$new_version"
			fi
		done) &&
	echo "# upgrading to $new_version: $upgrade" &&
	check "the newer build has the node's features" [ -n "$upgrade" ] &&
	swap upgrade "feature:repo-add $(cat "$results/../upgrade/repository")
feature:install --upgrade $upgrade"
	for f in $flows; do
		echo "stop" >>"$results/flow-$f.ctl"
	done
	for f in $flows; do
		wait $(eval echo \$flow_$f)
		eval "rc_$f=$?"
	done
	for f in $flows; do
		echo "# flow $f:"
		grep -v '^# flow ' "$results/flow-$f.txt" | sed 's/^/#   /'
	done
	check "local flow: every datagram arrived once and whole; sends were refused only with ENETDOWN, ENETUNREACH, ENOBUFS or EAGAIN, and never after sendto returned" \
		[ $rc_local = 0 ]
	check "flow through ipn:2 over TCPCLv4: the same" [ $rc_tcpclv4 = 0 ]
	check "flow through ipn:3 over TCPCLv3: the same" [ $rc_tcpclv3 = 0 ]
	check "flow through ipn:4 over MTCP: the same" [ $rc_mtcp = 0 ]
	check "flow through ipn:5 over UDP: the same" [ $rc_udp = 0 ]
	shell "bp:links" >"$results/swap-links-after.txt"
	shell "bp:status -v" >"$results/swap-status-after.txt"
	check "bp:status: the kernel transport is registered again and the embedded backend is up" sh -c \
		"grep -q 'Transport:  kernel - connected: registered as node' '$results/swap-status-after.txt' && grep -q 'Backend:    embedded - UP' '$results/swap-status-after.txt'"
	check "bp:status: every part runs at the newer build's version, $new_version" \
		grep -q "^Parts: .* active at $new_version" "$results/swap-status-after.txt"
	shell "config:property-get -p org.bpsockets.registry duplicateMemory" >"$results/swap-setting-after.txt"
	# Lost: what the configuration holds instead, for whoever looks.
	grep -q "^777" "$results/swap-setting-after.txt" || {
		shell "config:list '(service.pid=org.bpsockets.registry)'" >"$results/swap-setting-lost.txt"
		cp "$node/etc/org.bpsockets.registry.cfg" "$results/swap-setting-lost.cfg"
	}
	check "the operator's setting survived the replacements and the upgrade (in effect, and in its etc/ file)" sh -c \
		"grep -q '^777' '$results/swap-setting-after.txt' && grep -q '^duplicateMemory = 777' '$node/etc/org.bpsockets.registry.cfg'"
}

# The end of every run: the node stops, the module unloads, the kernel log is clean.
finish() {
	kill "$(karaf_pid)" 2>/dev/null
	await_karaf_exit || kill -9 "$(karaf_pid)" 2>/dev/null
	# The node has detached from ION and closed its µD3TN connections: they stop now.
	[ -z "$ion_started" ] || ion_stop
	if [ -n "$ud3tn_pid" ]; then
		kill "$ud3tn_pid" 2>/dev/null
		wait "$ud3tn_pid" 2>/dev/null
	fi
	# Every socket is closed and the node is gone: the module must unload (a leaked reference would stop it).
	check "rmmod bp at the end" rmmod bp
	dmesg >"$results/dmesg.txt"
	check "kernel log is clean (tools/vm/kernel-log-check)" "$here/../../tools/vm/kernel-log-check" "$results/dmesg.txt"
	echo "# $n checks, $failed failed, $skipped skipped"
	[ $failed = 0 ]
	exit $?
}

# pax-logging asks for the local host name; give the guest one that resolves.
hostname bpvm
echo "127.0.0.1 bpvm" >>/etc/hosts
trap 'cp "$node/data/log/karaf.log" "$results/karaf.log" 2>/dev/null' EXIT
dmesg -C
dmesg -n 1

if [ "$mode" = bench ]; then
	insmod "$ko"
	if [ -e "$results/../bench-jfr" ]; then
		EXTRA_JAVA_OPTS="$EXTRA_JAVA_OPTS -XX:StartFlightRecording=filename=$results/node.jfr,settings=profile,dumponexit=true"
	fi
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

# Many sockets held bound (bp_e2e hold) while the node's bridge and then the node itself register
# again: the registry must recover every one from the module's SOCKET_GET dump, and closing them must
# bring its count back. hold_start COUNT BASE: bp_e2e hold in the background, its commands on fd 3.
hold_start() {
	rm -f /tmp/bp-e2e-hold.in "$results/hold.out"
	mkfifo /tmp/bp-e2e-hold.in
	"$e2e" hold 1 "$1" "$2" </tmp/bp-e2e-hold.in >"$results/hold.out" 2>&1 &
	hold_pid=$!
	exec 3>/tmp/bp-e2e-hold.in
}

# The waits below count by the clock: under emulation, with the node busy, each round of a loop
# (grep, ssh) takes far longer than its sleep.
await_file() {	# await_file FILE REGEX COUNT SECONDS: FILE has COUNT lines matching REGEX
	end=$(( $(date +%s) + $4 ))
	while [ "$(grep -c "$2" "$1" 2>/dev/null)" -lt "$3" ] && [ "$(date +%s)" -lt $end ]; do
		sleep 0.5
	done
	[ "$(grep -c "$2" "$1" 2>/dev/null)" -ge "$3" ]
}

pinged() {	# pinged N: the hold's Nth ping got all 100 datagrams
	await_file "$results/hold.out" "^received" "$1" 900 &&
		[ "$(grep -c "^received 100 of 100" "$results/hold.out")" -ge "$1" ]
}

bound_sockets() {	# the registry's count of bound sockets, from bp:status
	shell bp:status | sed -n 's/^Sockets: *[0-9]* (\([0-9]*\) bound).*/\1/p'
}

await_bound() {	# await_bound COUNT SECONDS: bp:status says COUNT bound
	end=$(( $(date +%s) + $2 ))
	while [ "$(bound_sockets)" != "$1" ] && [ "$(date +%s)" -lt $end ]; do
		sleep 1
	done
	[ "$(bound_sockets)" = "$1" ] && return 0
	echo "# bp:status says: $(shell bp:status | grep '^Sockets:')"
	return 1
}

node_threads() {	# the node's threads by CPU time (clock ticks), busiest first
	for t in /proc/"$(karaf_pid)"/task/*; do
		echo "$(cut -d' ' -f14,15 "$t/stat" 2>/dev/null | awk '{print $1 + $2}') $(cat "$t/comm" 2>/dev/null)"
	done | sort -rn | head -n 15
}

rss_kb() {
	awk '/^VmRSS/ { print $2 }' "/proc/$(karaf_pid)/status"
}

# memory_report NAME: the node's RSS, then (with NativeMemoryTracking on) where its memory is: NMT's
# summary, the heap, and a class histogram (a full GC), in $results/memory-NAME-*.txt; one line
# "# memory NAME: ..." for the log.
memory_report() {
	pid=$(karaf_pid)
	rss=$(rss_kb)
	# Which mappings the resident pages are in (the heap's range is in GC.heap_info).
	cat "/proc/$pid/smaps" >"$results/memory-$1-smaps.txt"
	jcmd "$pid" VM.native_memory summary >"$results/memory-$1-nmt.txt" 2>&1
	jcmd "$pid" GC.heap_info >"$results/memory-$1-heap.txt" 2>&1
	jcmd "$pid" GC.class_histogram >"$results/memory-$1-histogram.txt" 2>&1
	rss_gc=$(rss_kb)
	nmt=$(sed -n 's/^Total: reserved=[0-9]*KB, committed=\([0-9]*\)KB.*/\1/p' "$results/memory-$1-nmt.txt")
	heap=$(sed -n 's/^- *Java Heap (reserved=[0-9]*KB, committed=\([0-9]*\)KB).*/\1/p' "$results/memory-$1-nmt.txt")
	live=$(awk '/^Total/ { print int($3 / 1024) }' "$results/memory-$1-histogram.txt")
	echo "# memory $1: RSS $((rss / 1024)) MB ($rss kB); NMT committed ${nmt:-?} kB, heap committed ${heap:-?} kB; live heap ${live:-?} kB; RSS after that full GC $((rss_gc / 1024)) MB"
	echo "$1 $rss $rss_gc ${nmt:-0} ${heap:-0} ${live:-0}" >>"$results/memory.txt"
}

# start_node NAME: start_karaf NAME until the node registers. Under emulation a JVM with the default
# JIT settings now and then dies at start in C1-compiled JDK code (SIGSEGV, an hs_err file): then it
# is started again, up to twice, and the log says so.
start_node() {
	for attempt in 1 2 3; do
		start_karaf "$1"
		sleep 10
		while [ -n "$(karaf_pid)" ]; do
			"$e2e" wait-node 20 1 >/dev/null 2>&1 && return 0
		done
		echo "# the node's JVM died while starting: $(grep -h -A1 'Problematic frame' "$node"/hs_err_pid*.log 2>/dev/null | tail -n 1)"
		mv "$results/karaf-$1.out" "$results/karaf-$1-died-$attempt.out"
	done
	return 1
}

# sockets_checks COUNT SETTLE: COUNT sockets bound, the bridge and then the node register again,
# every socket recovered and carrying a datagram, all closed. With SETTLE (the memory mode), the
# node's memory before, with COUNT bound (also after each recovery), and after closing them.
sockets_checks() {
	count=$1
	settle=${2:-}
	# The registry's count now; its shell (SSH) may still be starting with the node.
	end=$(( $(date +%s) + 300 ))
	until before=$(bound_sockets) && [ -n "$before" ] || [ "$(date +%s)" -ge $end ]; do
		sleep 2
	done
	echo "# bound sockets before: ${before:-none (bp:status did not answer)}"
	if [ -n "$settle" ]; then
		sleep "$settle"
		memory_report before
	fi
	t_bind=$(date +%s)
	hold_start "$count" 30000
	await_file "$results/hold.out" "^bound\|failed\|^setrlimit" 1 1800
	check "$count sockets bind, ipn:1.30000 to ipn:1.$((30000 + count - 1)) ($(head -n 1 "$results/hold.out"))" \
		grep -q "^bound $count " "$results/hold.out"
	# The sender's socket too.
	all=$((before + count + 1))
	check "bp:status: the registry counts them ($all bound)" await_bound "$all" 120
	[ -n "$settle" ] && memory_report bound
	resyncs=$(grep -c "Resynchronised $all bound sockets" "$node/data/log/karaf.log")
	t0=$(date +%s)
	# Where the node is busy, if it still is a minute later: its threads' CPU time and stacks.
	(sleep 60 && node_threads >"$results/sockets-bridge-cpu.txt" && jstack "$(karaf_pid)" >"$results/sockets-bridge-threads.txt" 2>&1) 3>&- &
	shell "bundle:restart org.bpsockets.netlink" >"$results/sockets-bridge-restart.txt"
	echo "# bundle:restart returned after $(( $(date +%s) - t0 )) s"
	check "the bridge registers again: its resync lists all $all sockets from the module's dump" \
		await_file "$node/data/log/karaf.log" "Resynchronised $all bound sockets" $((resyncs + 1)) 600
	echo "# resynchronised $(( $(date +%s) - t0 )) s after bundle:restart"
	check "bp:status: the registry has them all again" await_bound "$all" 120
	echo "ping 100 60" >&3
	check "after the bridge's new registration, 100 of them (first to last) each receive their datagram" \
		pinged 1
	if [ -n "$settle" ]; then
		memory_report bridge
		resyncs=$(grep -c "Resynchronised $all bound sockets" "$node/data/log/karaf.log")
		kill "$(karaf_pid)"
		await_karaf_exit
		check "the restarted node registers" start_node restart
		check "the restarted node's resync lists all $all sockets" \
			await_file "$node/data/log/karaf.log" "Resynchronised $all bound sockets" $((resyncs + 1)) 600
		echo "# the restarted node resynchronised $(( $(date +%s) - t0 )) s after its start"
		check "bp:status: the restarted node's registry has them all" await_bound "$all" 120
		echo "ping 100 60" >&3
		check "after the node's restart, 100 of them each receive their datagram" pinged 2
		sleep "$settle"
		memory_report restarted
	fi
	# The end of its stdin: every process started since hold_start must not hold fd 3 (start_karaf).
	exec 3>&-
	end=$(( $(date +%s) + 300 ))
	while kill -0 "$hold_pid" 2>/dev/null && [ "$(date +%s)" -lt $end ]; do
		sleep 1
	done
	kill "$hold_pid" 2>/dev/null
	check "all $count closed" grep -q "^closed $count" "$results/hold.out"
	check "the registry's count is back to $before" await_bound "$before" 300
	if [ -n "$settle" ]; then
		sleep "$settle"
		memory_report closed
	fi
}

# "sockets" (issue 18's P4): the node's memory with 10,000 bound sockets, with the JVM settings the
# product ships (Karaf's defaults) and NativeMemoryTracking; "sockets-tcg": with this guest's settings.
case $mode in
sockets|sockets-tcg)
	if [ "$mode" = sockets ]; then
		export EXTRA_JAVA_OPTS="-XX:NativeMemoryTracking=summary"
	else
		export EXTRA_JAVA_OPTS="$EXTRA_JAVA_OPTS -XX:NativeMemoryTracking=summary"
	fi
	echo "# the node's JVM options: $EXTRA_JAVA_OPTS"
	insmod "$ko"
	# The node's log as it goes, to follow a long run from outside.
	(while sleep 20; do cp "$node/data/log/karaf.log" "$results/karaf-live.log" 2>/dev/null; done) &
	check "the node registers" start_node first
	echo "# node ready $(( $(date +%s) - t0 )) s after start"
	sockets_checks "$(cat "$results/../sockets-count")" 20
	finish
	;;
esac

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
# The fault testbed's R4 through AF_BP: ENDPOINTS sockets, PER datagrams each, all at once.
many_check() {
	"$e2e" many 1 "$1" "$2" >"$results/many.tap" 2>&1
	rc=$?
	sed 's/^/    /' "$results/many.tap"
	check "R4: $1 AF_BP sockets x $2 datagrams, every one once, on its own socket" [ $rc = 0 ]
	echo "# the node's RSS after R4: $(ps -o rss= -p "$(karaf_pid)") kB"
}
# "many": the node's start and R4 in its full form alone.
if [ "$mode" = many ]; then
	echo "# R4: 1,000 AF_BP sockets x 100 datagrams"
	many_check 1000 100
	finish
fi
# "swap": the node's start and section 7 alone, while working on it.
if [ "$mode" = swap ]; then
	echo "# 7. the node's parts replaced under steady traffic"
	swap_checks
	finish
fi

echo "# 2. applications through module, bridge, registry and backend"
"$e2e" test 1 >"$results/bp_e2e.tap" 2>&1
rc=$?
sed 's/^/    /' "$results/bp_e2e.tap"
check "bp_e2e functional suite ($(grep -c '^ok' "$results/bp_e2e.tap") passed)" [ $rc = 0 ]
many_check 1000 10
# Issue 18's P4, functionally (run sockets measures the memory): the registry recovers every socket
# from the module's dump when the bridge registers again, and forgets them when they close.
t_sockets=$(date +%s)
sockets_checks "$(cat "$results/../sockets-count")"
echo "# $(cat "$results/../sockets-count") sockets held through the bridge's new registration: $(( $(date +%s) - t_sockets )) s"
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

echo "# 7. the node's parts replaced under steady traffic"
swap_checks

# use_backend NAME: the node's registry prefers NAME (its etc/ file, edited as an operator would);
# true once bp:status names NAME as the active backend, UP.
use_backend() {
	sed -i "s/^preferredBackend *=.*/preferredBackend = $1/" "$node/etc/org.bpsockets.registry.cfg"
	i=0
	while [ $i -lt 30 ]; do
		status_says "Backend:    $1 - UP" && return 0
		sleep 2
		i=$((i + 1))
	done
	return 1
}

# The ION node of section 8, in a directory of its own: its commands run with ION_NODE_LIST_DIR
# (ION's multi-node mode, so it uses the wmKey and sdrName of its own configuration).
ion_dir=/tmp/bp-e2e-ion
ion_prefix=$(cat "$results/../ion-prefix" 2>/dev/null)
ion_env() {	# ion_env COMMAND...: an ION command of that node, from its directory
	(cd "$ion_dir" && exec env PATH="$ion_prefix/bin:$PATH" LD_LIBRARY_PATH="$ion_prefix/lib" \
		ION_NODE_LIST_DIR="$ion_dir" "$@")
}
ion_echo=
ion_started=

ion_checks() {
	rm -rf "$ion_dir"
	mkdir -p "$ion_dir"
	# ION's semaphores are POSIX named semaphores, in /dev/shm (this guest has none mounted).
	grep -q " /dev/shm " /proc/mounts || { mkdir -p /dev/shm && mount -t tmpfs -o mode=1777 shm /dev/shm; }
	ls /dev/shm >"$results/ion-shm-before.txt"
	ipcs -m | awk '$1 ~ /^0x/ { print $1 }' | sort >"$results/ion-ipc-before.txt"
	# Its own working-memory and heap keys and SDR name (not ION's defaults 65281 and "ion"), its
	# files in its directory; the SDR in memory.
	cat >"$ion_dir/node.ionconfig" <<-EOF
	wmKey 16977
	wmSize 50000000
	sdrName bpe2e
	configFlags 1
	heapWords 12500000
	heapKey 16978
	pathName $ion_dir
	EOF
	# Node ipn:1, like the embedded node, so that the same programs run unchanged. ION delivers
	# between two endpoints of its own node only through a contact and a range to itself, here over
	# its TCP convergence layer on the loopback. ipn:1.9002 is ION's bpecho (the embedded node's
	# echo service's number); ipn:1.45 is declared so that bpcp's bundles wait for the receiver's
	# bind (ION abandons a bundle for an endpoint of its own node that it does not know).
	cat >"$ion_dir/node.rc" <<-EOF
	## begin ionadmin
	1 1 $ion_dir/node.ionconfig
	s
	m horizon +0
	a contact +0 +86400 1 1 100000000
	a range +0 +86400 1 1 1
	m production 100000000
	m consumption 100000000
	## end ionadmin
	## begin bpadmin
	1
	a scheme ipn 'ipnfw' 'ipnadminep'
	a endpoint ipn:1.9002 q
	a endpoint ipn:1.45 q
	a protocol tcp 1400 100
	a induct tcp 127.0.0.1:24556 tcpcli
	a outduct tcp 127.0.0.1:24556 tcpclo
	s
	## end bpadmin
	## begin ipnadmin
	a plan 1 tcp/127.0.0.1:24556
	## end ipnadmin
	EOF
	t0=$(date +%s)
	ion_started=1
	check "ionstart: ION node ipn:1 (wmKey 16977, sdrName bpe2e) with a contact and range to itself" \
		sh -c "cd '$ion_dir' && PATH='$ion_prefix/bin':\$PATH LD_LIBRARY_PATH='$ion_prefix/lib' ION_NODE_LIST_DIR='$ion_dir' timeout 300 ionstart -I node.rc >'$results/ionstart.txt' 2>&1"
	echo "# ION started in $(( $(date +%s) - t0 )) s"
	(cd "$ion_dir" && exec env PATH="$ion_prefix/bin:$PATH" LD_LIBRARY_PATH="$ion_prefix/lib" \
		ION_NODE_LIST_DIR="$ion_dir" bpecho ipn:1.9002 >"$results/ion-bpecho.txt" 2>&1) &
	ion_echo=$!
	cat >"$node/etc/org.bpsockets.backend.ion.cfg" <<-EOF
	bpLibrary = $ion_prefix/lib/libbp.so.0
	iciLibrary = $ion_prefix/lib/libici.so.0
	nodeListDir = $ion_dir
	nodeDirectory = $ion_dir
	addEndpoints = true
	retrySeconds = 1
	maxPayload = 67108864
	EOF
	t0=$(date +%s)
	if ! check "preferredBackend = ion: the ION backend attaches to ION and becomes the active backend" \
		use_backend ion; then
		client bp:backends >"$results/ion-backends.txt"
		sed 's/^/    # /' "$results/ion-backends.txt"
		return
	fi
	echo "# ION backend active $(( $(date +%s) - t0 )) s after the configuration changed"

	BP_E2E_BACKEND=ion "$e2e" test 1 >"$results/ion-bp_e2e.tap" 2>&1
	rc=$?
	sed 's/^/    /' "$results/ion-bp_e2e.tap"
	check "bp_e2e functional suite through ION: sizes, poll, epoll, connect, prior-art client, options, 3000 without reader, refusals ($(grep -c '^ok' "$results/ion-bp_e2e.tap") passed)" [ $rc = 0 ]
	skip "the bundles built with setsockopt's and the control message's options, read by bp:bundles" \
		"bp:bundles lists the embedded node's store; ION keeps its own (IonInteropTest checks the lifetime and app-ack flag at the receiver)"

	check "bpping: ION's own bpecho on ipn:1.9002 answers an automatically bound socket 3 of 3" sh -c \
		"bpping -c 3 -i 200 -W 60 ipn:1.9002 >'$results/ion-bpping.txt' && grep -q '3 bundles sent, 3 answered, 0% lost' '$results/ion-bpping.txt'"
	bpecho -n 1 ipn:1.40 2>"$results/ion-bpecho-ours.log" &
	echo_pid=$!
	check "bpping: our bpecho answers through ION" sh -c "bpping -c 1 -W 60 ipn:1.40 >'$results/ion-bpping-echo.txt'"
	wait $echo_pid
	receive ipn:1.47 "$results/ion-autobind.txt" 120
	check "bpsend without bind: the automatic source is declared in ION and the bundle sent" \
		bpsend ipn:1.47 "automatic"
	wait $receiver
	check "it arrives from the automatically bound endpoint (ipn:1.65536 and up)" \
		grep -E -q "from ipn:1\.(6553[6-9]|655[4-9][0-9]|65[6-9][0-9]{2}|6[6-9][0-9]{3}|[7-9][0-9]{4}|[0-9]{6,}), 9 bytes" \
		"$results/ipn:1.47.log"
	receive ipn:1.41 "$results/ion-payload-got.bin" 120
	check "bpsend -f: 100 kB from a file through ION" bpsend -s ipn:1.42 -f "$results/payload.bin" ipn:1.41
	wait $receiver
	check "bprecv -o: the same bytes arrive" cmp "$results/payload.bin" "$results/ion-payload-got.bin"
	mkdir -p "$results/ion-bpcp-in"
	bpcp -r -q -t 300 ipn:1.45 "$results/ion-bpcp-in" >"$results/ion-bpcp-recv.txt" 2>&1 &
	copier=$!
	check "bpcp: 1 MB in 16 bundles through ION" bpcp -q -s ipn:1.46 "$results/bpcp.bin" ipn:1.45
	wait $copier
	check "bpcp -r: the SHA-256 of the whole file matches at the far end" \
		grep -q "bpcp.bin: 1000000 bytes, SHA-256 verified" "$results/ion-bpcp-recv.txt"

	BP_E2E_BACKEND=ion python3 "$here/python_e2e.py" >"$results/ion-python.tap" 2>&1
	rc=$?
	sed 's/^/    /' "$results/ion-python.tap"
	check "the Python binding through ION ($(grep -c '^ok' "$results/ion-python.tap") passed)" [ $rc = 0 ]
	BP_E2E_BACKEND=ion java $EXTRA_JAVA_OPTS -cp "$(cat "$results/../java-classpath")" JavaE2e >"$results/ion-java.tap" 2>&1
	rc=$?
	sed 's/^/    /' "$results/ion-java.tap"
	check "the Java binding through ION ($(grep -c '^ok' "$results/ion-java.tap") passed)" [ $rc = 0 ]

	skip "every baseline option to the second node, and its status reports" \
		"the host's peer speaks TCPCLv4, which ION lacks (ION against our TCPCLv3: Tcpclv3IonInteropTest); libbp cannot set a hop limit"
	skip "kill -9 the node while an application is bound" \
		"a process killed inside an SDR transaction leaves ION's lock held and wedges ION (ION's rule, shared/ref/ion-libbp.md), which would test ION, not the node"

	check "rmmod bp while the ION backend is active" rmmod bp
	check "insmod bp.ko again" insmod "$ko"
	check "the node reconnects by itself" "$e2e" wait-node 120 1
	receive ipn:1.22 "$results/ion-recv-reload.txt" 120
	check "a socket sends through ION after the reload" bpsend -s ipn:1.23 ipn:1.22 "after reload"
	wait $receiver
	check "and the datagram arrives" grep -qx "after reload" "$results/ion-recv-reload.txt"
	client bp:backends >"$results/ion-backends.txt"
}

ion_processes() {	# what is left of ION's daemons and bpecho (the brackets keep pgrep from matching itself)
	pgrep -l -f "[r]fxclock|[b]pclock|[i]pnfw|[i]pnadminep|[b]ptransit|[b]pclm|[t]cpcli|$ion_prefix/bin/[b]pecho|^[b]pecho"
}

# ion_stop: ION's own shutdown (never killm, which would end every ION node of the machine), then
# what this node left in /dev/shm and System V shared memory that was not there before it started.
ion_stop() {
	[ -n "$ion_echo" ] && kill "$ion_echo" 2>/dev/null
	ion_env bpadmin . >>"$results/ionstop.txt" 2>&1
	sleep 1
	ion_env ionadmin . >>"$results/ionstop.txt" 2>&1
	i=0
	while ion_processes >/dev/null && [ $i -lt 100 ]; do
		sleep 0.2
		i=$((i + 1))
	done
	ion_processes >"$results/ion-left.txt"
	check "ION's daemons and bpecho have ended" [ ! -s "$results/ion-left.txt" ]
	ipcs -m | awk '$1 ~ /^0x/ && $6 == 0 { print $1, $2 }' | while read -r key id; do
		grep -qx "$key" "$results/ion-ipc-before.txt" || ipcrm -m "$id"
	done
	ls /dev/shm | while read -r f; do
		grep -qxF "$f" "$results/ion-shm-before.txt" || rm -f "/dev/shm/$f"
	done
	ls /dev/shm >"$results/ion-shm-after.txt"
	ipcs -m | awk '$1 ~ /^0x/ { print $1 }' | sort >"$results/ion-ipc-after.txt"
	check "what ION created in /dev/shm and System V shared memory is gone" sh -c \
		"cmp -s '$results/ion-shm-before.txt' '$results/ion-shm-after.txt' && cmp -s '$results/ion-ipc-before.txt' '$results/ion-ipc-after.txt'"
}

echo "# 8. the same applications through the ION backend (ION running in this VM)"
if [ -z "$ion_prefix" ]; then
	skip "the functional checks through the ION backend" "BPSOCKETS_ION_PREFIX is not set"
else
	ion_checks
fi

# Section 9: µD3TN (BPSOCKETS_UD3TN_BIN) in this VM, the backend's one-shot senders (issue 21).
ud3tn_bin=$(cat "$results/../ud3tn-bin" 2>/dev/null)
ud3tn_dir=/tmp/bp-e2e-ud3tn
ud3tn_pid=

ud3tn_checks() {
	rm -rf "$ud3tn_dir"
	mkdir -p "$ud3tn_dir"
	# Short lifetimes (-l): µD3TN scans the ids of delivered bundles until they expire.
	"$ud3tn_bin" -e ipn:1.0 -s "$ud3tn_dir/aap.socket" -S "$ud3tn_dir/aap2.socket" \
		-c "mtcp:127.0.0.1,24224" -l 600 -L 3 >"$results/ud3tn.log" 2>&1 &
	ud3tn_pid=$!
	i=0
	while [ ! -S "$ud3tn_dir/aap2.socket" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	check "µD3TN ipn:1.0 runs, its AAP 2.0 socket in $ud3tn_dir" [ -S "$ud3tn_dir/aap2.socket" ]
	cat >"$node/etc/org.bpsockets.backend.ud3tn.cfg" <<-EOF
	socket = $ud3tn_dir/aap2.socket
	EOF
	t0=$(date +%s)
	if ! check "preferredBackend = ud3tn: the µD3TN backend connects and becomes the active backend" \
		use_backend ud3tn; then
		client bp:backends >"$results/ud3tn-backends.txt"
		sed 's/^/    # /' "$results/ud3tn-backends.txt"
		return
	fi
	echo "# µD3TN backend active $(( $(date +%s) - t0 )) s after the configuration changed"
	head -c 10000 /dev/urandom >"$results/10k.bin"
	bprecv -v -n 100 -t 120 -o "$results/ud3tn-got.bin" ipn:1.81 2>"$results/ud3tn-recv.log" &
	receiver=$!
	i=0
	while ! grep -q bound "$results/ud3tn-recv.log" && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
	t0=$(date +%s)
	i=0 bad=0
	while [ $i -lt 100 ]; do
		bpsend -f "$results/10k.bin" ipn:1.81 || bad=$((bad + 1))
		i=$((i + 1))
	done
	echo "# 100 one-shot bpsend runs in $(( $(date +%s) - t0 )) s"
	wait $receiver
	got=$(grep -c "from ipn:1\.[0-9]*, 10000 bytes" "$results/ud3tn-recv.log")
	sources=$(grep -o "from ipn:1\.[0-9]*" "$results/ud3tn-recv.log" | sort -u | wc -l)
	echo "# µD3TN: $got of 100 one-shot bundles delivered, from $sources sources; $bad bpsend runs failed"
	check "100 one-shot bpsend runs (10 kB, automatic bind, close at once) through µD3TN all succeed" [ $bad = 0 ]
	check "and all 100 arrive, each from its own automatically bound endpoint ($got, $sources sources)" \
		[ "$got" = 100 -a "$sources" = 100 ]
	client bp:backends >"$results/ud3tn-backends.txt"
	check "bp:backends: no send failed, no subscription lost" \
		grep -q "0 sends failed, 0 subscriptions lost" "$results/ud3tn-backends.txt"
	check "µD3TN dropped nothing (no \"Dropping\" nor \"Broken pipe\" in its log)" \
		sh -c "! grep -E -q 'Dropping|Broken pipe' '$results/ud3tn.log'"
}

echo "# 9. one-shot senders through the µD3TN backend (µD3TN running in this VM)"
if [ -z "$ud3tn_bin" ]; then
	skip "100 one-shot senders through the µD3TN backend" "BPSOCKETS_UD3TN_BIN is not set"
else
	ud3tn_checks
fi

finish
