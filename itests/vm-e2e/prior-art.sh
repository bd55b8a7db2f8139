#!/bin/sh
# Runs inside the test VM (itests/vm-e2e/run bench-prior-art): the same AF_BP benchmark client
# (bp_prior_bench, built against the prior art's ABI only) first against our module and node, then,
# in the same boot, against DTN-MTP/bp-socket's module and daemon over a local ION node (built
# outside this repository: BPSOCKETS_BPSOCKET_DIR holds its bp.ko and bp_daemon; ION from
# BPSOCKETS_ION_PREFIX). Prints both and the ratio ours/theirs per size; figures in
# RESULTS_DIR/prior-art.txt. Every process it starts is stopped by its PID.
# usage: prior-art.sh NODE_DIR BP_KO RESULTS_DIR BPSOCKET_DIR ION_PREFIX [SCALE [SIZES]]
node=$1
ko=$2
results=$3
bpsocket_dir=$4
ion_prefix=$5
scale=${6:-1}
sizes=${7:-100 1024 65000}
here=$(cd "$(dirname "$0")" && pwd)
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}
export PATH=$JAVA_HOME/bin:$PATH
# As guest.sh's bench: C1 only and the serial collector (docs/performance.md, section 1).
export EXTRA_JAVA_OPTS="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
failed=0

say() { echo "# $*"; }
fail() { echo "not ok - $*"; failed=1; }

hostname bpvm
echo "127.0.0.1 bpvm" >>/etc/hosts
dmesg -C
dmesg -n 1

# ---- ours: bp.ko and the node with its default (crash-safe) store, as guest.sh's bench ----
insmod "$ko" || fail "insmod our bp.ko"
t0=$(date +%s)
(cd "$node" && exec bin/karaf server >"$results/karaf-bench.out" 2>&1 &)
if "$here/bp_e2e" wait-node 900 1 >/dev/null; then
	say "our node ready $(( $(date +%s) - t0 )) s after start"
	: >"$results/prior-art-ours.txt"
	for size in $sizes; do
		say "ours, $size B: bp_prior_bench through our module and node"
		timeout 900 "$here/bp_prior_bench" 1 "$scale" "$size" 2>>"$results/prior-art-ours.err" |
			tee -a "$results/prior-art-ours.txt"
	done
else
	fail "our node did not register"
fi
karaf=$(pgrep -f "karaf.home=$node" | head -n 1)
cp "$node/data/log/karaf.log" "$results/karaf.log" 2>/dev/null
if [ -n "$karaf" ]; then
	kill "$karaf"
	i=0
	while kill -0 "$karaf" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.2; i=$((i + 1)); done
	kill -9 "$karaf" 2>/dev/null
fi
rmmod bp || fail "rmmod our bp"

# ---- theirs: bp-socket's bp.ko, then per size a fresh local ION node ipn:1 and bp-socket's daemon ----
# A fresh ION per size. Under load the prototype's daemon eventually fails a zco_create and leaves
# its SDR transaction open on that path, which wedges ION for good: every later size would carry
# nothing. An ION started after a wedged one in the same boot did not start either (ionadmin hung),
# so tools/bench boots once per size (SIZES); each size gets a clean start, its losses reported.
insmod "$bpsocket_dir/bp.ko" || fail "insmod bp-socket's bp.ko"
grep -q " /dev/shm " /proc/mounts || { mkdir -p /dev/shm && mount -t tmpfs -o mode=1777 shm /dev/shm; }
ls /dev/shm >"$results/prior-shm-before.txt"
ipcs -m | awk '$1 ~ /^0x/ { print $1 }' | sort >"$results/prior-ipc-before.txt"
: >"$results/prior-art-theirs.txt"
: >"$results/prior-art-theirs.err"
k=0
for size in $sizes; do
	k=$((k + 1))
	ion_dir=/tmp/bp-prior-ion-$size
	rm -rf "$ion_dir"
	mkdir -p "$ion_dir"
	# ION as guest.sh's section 8 runs it: its own keys and SDR name (new ones per size), the SDR in
	# memory, node ipn:1 delivering to itself through a contact, a range and a TCP convergence layer
	# on the loopback. The benchmark's two endpoints are declared (ION's bp_open needs them).
	cat >"$ion_dir/node.ionconfig" <<-EOF
	wmKey $((16987 + 2 * k))
	wmSize 50000000
	sdrName bpprior$k
	configFlags 1
	heapWords 12500000
	heapKey $((16988 + 2 * k))
	pathName $ion_dir
	EOF
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
	a endpoint ipn:1.30 q
	a endpoint ipn:1.31 q
	a protocol tcp 1400 100
	a induct tcp 127.0.0.1:$((24555 + k)) tcpcli
	a outduct tcp 127.0.0.1:$((24555 + k)) tcpclo
	s
	## end bpadmin
	## begin ipnadmin
	a plan 1 tcp/127.0.0.1:$((24555 + k))
	## end ipnadmin
	EOF
	ion_env() {	# ion_env COMMAND...: an ION command of that node, from its directory
		(cd "$ion_dir" && exec env PATH="$ion_prefix/bin:$PATH" LD_LIBRARY_PATH="$ion_prefix/lib" \
			ION_NODE_LIST_DIR="$ion_dir" "$@")
	}
	t0=$(date +%s)
	if ion_env timeout 300 ionstart -I node.rc >"$results/prior-ionstart-$size.txt" 2>&1; then
		say "ION started in $(( $(date +%s) - t0 )) s"
	else
		fail "ionstart ($size B)"
	fi
	# The daemon binds netlink port 8443 (hard-coded in both halves); ready once that port is taken.
	(cd "$ion_dir" && exec env LD_LIBRARY_PATH="$ion_prefix/lib" ION_NODE_LIST_DIR="$ion_dir" \
		"$bpsocket_dir/bp_daemon" >"$results/prior-daemon-$size.log" 2>&1) &
	daemon=$!
	i=0
	while ! awk '$3 == 8443 { f = 1 } END { exit !f }' /proc/net/netlink && [ $i -lt 300 ]; do sleep 0.2; i=$((i + 1)); done
	sleep 2	# it attaches to ION after binding the port
	if kill -0 "$daemon" 2>/dev/null; then
		say "theirs, $size B: bp_prior_bench through bp-socket's module, its daemon and ION 4.1.3"
		timeout 900 "$here/bp_prior_bench" 1 "$scale" "$size" 2>>"$results/prior-art-theirs.err" |
			tee -a "$results/prior-art-theirs.txt"
	else
		fail "bp-socket's daemon did not start ($size B)"
		sed 's/^/#   /' "$results/prior-daemon-$size.log"
	fi
	# Its event loop can hang in an endpoint's close (joining a send thread blocked in ION): SIGINT,
	# then SIGKILL. ION then has its own shutdown (never killm), bounded; a daemon killed inside an SDR
	# transaction wedges ION, whose processes are then killed by PID (this guest runs nothing else).
	kill -INT "$daemon" 2>/dev/null
	i=0
	while kill -0 "$daemon" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
	kill -0 "$daemon" 2>/dev/null && say "the daemon did not stop on SIGINT: SIGKILL"
	kill -9 "$daemon" 2>/dev/null
	wait "$daemon" 2>/dev/null
	ion_env timeout 30 bpadmin . >>"$results/prior-ionstop.txt" 2>&1
	sleep 1
	ion_env timeout 30 ionadmin . >>"$results/prior-ionstop.txt" 2>&1
	i=0
	while pgrep -f "[r]fxclock|[b]pclock|[i]pnfw|[i]pnadminep|[b]pclm|[t]cpcl[io]" >/dev/null && [ $i -lt 50 ]; do
		sleep 0.2
		i=$((i + 1))
	done
	left=$(pgrep -f "[r]fxclock|[b]pclock|[i]pnfw|[i]pnadminep|[b]pclm|[t]cpcl[io]|[b]padmin|[i]onadmin")
	if [ -n "$left" ]; then
		say "ION did not stop by itself ($size B): killing its processes $(echo $left)"
		kill -9 $left 2>/dev/null
	fi
	ipcs -m | awk '$1 ~ /^0x/ && $6 == 0 { print $1, $2 }' | while read -r key id; do
		grep -qx "$key" "$results/prior-ipc-before.txt" || ipcrm -m "$id"
	done
	ls /dev/shm | while read -r f; do
		grep -qxF "$f" "$results/prior-shm-before.txt" || rm -f "/dev/shm/$f"
	done
done
rmmod bp || fail "rmmod bp-socket's bp"
dmesg >"$results/dmesg.txt"

# ---- both, and the ratio ours/theirs per size ----
{
	echo "# size   ours msg/s  ours MB/s  bp-socket msg/s  bp-socket MB/s  ratio  ours-received/sent bp-socket-received/sent"
	awk 'function v(x) { return x == "" ? "-" : x }
		/^# [0-9]+ / { s = $2; if (!(s in seen)) { seen[s] = 1; order[++n] = s }
		if (FILENAME ~ /ours/) { om[s] = $3; ob[s] = $4; orx[s] = $5; otx[s] = $6 }
		else { tm[s] = $3; tb[s] = $4; trx[s] = $5; ttx[s] = $6 } }
		END { for (i = 1; i <= n; i++) { s = order[i]
			printf "# %-6s %10s %10s %16s %15s %6s  %s/%s %s/%s\n", s, v(om[s]), v(ob[s]), v(tm[s]), v(tb[s]),
				(tm[s] > 0 && om[s] != "" ? sprintf("%.2f", om[s] / tm[s]) : "-"), v(orx[s]), v(otx[s]), v(trx[s]), v(ttx[s]) } }' \
		"$results/prior-art-ours.txt" "$results/prior-art-theirs.txt"
} | tee "$results/prior-art.txt"
exit $failed
