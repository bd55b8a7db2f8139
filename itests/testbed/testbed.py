#!/usr/bin/env python3
"""The fault testbed (issue 16): real nodes, each the Karaf distribution made by tools/new-node, each in
a network namespace this run makes, joined by veth pairs; a scenario file names the nodes, links,
traffic and faults on a timeline; the runner drives them, checks every bundle end to end from the
applications' logs (bp:send --log and bp:recv --log: ID, length, SHA-256), and writes a results table.

usage: itests/testbed/run [--short] SCENARIO.toml...

Everything it starts is stopped by PID and its namespaces are removed, also after a failure.
Addresses are 10.200.L.1 and 10.200.L.2 on link L, inside the run's own namespaces only.
A link with `delay_ms` (and optionally `jitter_ms`, `short_delay_ms`, `delay_limit`) is a TUN device
at each end joined by delay_relay.py, one process per link started and stopped by PID here; the host
kernel has no netem (docs/decisions/0020). Its rate (tbf), loss (nftables) and cuts are a veth's.
"""
import argparse
import csv
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TOOLS = REPO / "tools"
FAKETIME_LIBS = ("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1", "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1")


def log(msg):
    print(f"testbed: {msg}", flush=True)


class Testbed:
    def __init__(self, scenario, short, work):
        self.s = scenario
        self.short = short
        self.work = work
        self.tag = f"bpt{os.getpid() % 100000}"
        self.namespaces = []
        self.apps = {}  # role -> Popen
        self.started = []  # node numbers started
        self.password = os.urandom(12).hex()
        self.events = []  # (seconds since start, what)
        self.mounts = []  # file systems mounted for the run
        self.relays = {}  # link number -> Popen of its delay relay
        self.refusals = []  # what the sending application was told when the node refused a send
        self.t0 = time.monotonic()

    # ---- plumbing -------------------------------------------------------------------------------
    def sh(self, *args, check=True, **kw):
        return subprocess.run(list(map(str, args)), check=check, text=True, capture_output=True, **kw)

    def ns(self, n):
        return f"{self.tag}-n{n}"

    def home(self, n):
        return self.work / f"node{n}"

    def event(self, what):
        t = time.monotonic() - self.t0
        self.events.append((round(t, 1), what))
        log(f"{t:7.1f} s  {what}")

    def setup(self):
        for node in self.s["node"]:
            n = node["number"]
            self.sh("ip", "netns", "add", self.ns(n))
            self.namespaces.append(self.ns(n))
            self.sh("ip", "-n", self.ns(n), "link", "set", "lo", "up")
        for i, link in enumerate(self.s.get("link", []), start=1):
            a, b = link["between"]
            va, vb = f"{self.tag}l{i}a", f"{self.tag}l{i}b"
            if "delay_ms" in link:
                # A delayed link: a TUN device at each end, joined by delay_relay.py (started below, once
                # the devices have their addresses): netem's delay, which the host kernel lacks, in user
                # space (docs/decisions/0020). Addresses, tbf and the loss rules are the same as a veth's.
                for n, dev in ((a, va), (b, vb)):
                    self.sh("ip", "-n", self.ns(n), "tuntap", "add", "dev", dev, "mode", "tun")
            else:
                self.sh("ip", "link", "add", va, "netns", self.ns(a), "type", "veth", "peer", "name", vb, "netns",
                        self.ns(b))
            for n, dev, host in ((a, va, 1), (b, vb, 2)):
                self.sh("ip", "-n", self.ns(n), "addr", "add", f"10.200.{i}.{host}/24", "dev", dev)
                self.sh("ip", "-n", self.ns(n), "link", "set", dev, "up")
                if "rate" in link:
                    # Token bucket: the host kernel has no netem, tbf is what shapes a link here.
                    self.sh("ip", "netns", "exec", self.ns(n), "tc", "qdisc", "add", "dev", dev, "root", "tbf",
                            "rate", link["rate"], "burst", "64kb", "latency", "500ms")
            link["_devs"] = {a: va, b: vb}
            link["_addr"] = {a: f"10.200.{i}.1", b: f"10.200.{i}.2"}
            if "delay_ms" in link:
                self.start_relay(i, link)
            if link.get("loss_percent"):
                self.set_loss(link, link["loss_percent"])
        for node in self.s["node"]:
            n = node["number"]
            peers = []
            for link in self.s.get("link", []):
                a, b = link["between"]
                if n == a:  # the lower side of each link dials
                    peers += ["--peer", f"{b}={link['_addr'][b]}:4556"]
            self.sh(TOOLS / "new-node", self.home(n), n, "--listen", "0.0.0.0", "--no-port-check", *peers)
            config = dict(node.get("config", {}))
            if "store_tmpfs_mb" in node:
                # The store on a small file system of its own, to fill it.
                store = self.home(n) / "store"
                store.mkdir()
                self.sh("mount", "-t", "tmpfs", "-o", f"size={node['store_tmpfs_mb']}m", "tmpfs", store)
                self.mounts.append(store)
                config["storePath"] = str(store / "bundles.mv")
            # `config` is the node's own (org.bpsockets.node); `cfg` any other PID's, e.g. a layer's keepalive.
            for pid, values in [("org.bpsockets.node", config)] + list(node.get("cfg", {}).items()):
                if values:
                    cfg = self.home(n) / "etc" / f"{pid}.cfg"
                    old = cfg.read_text().splitlines() if cfg.exists() else []
                    lines = [l for l in old if l.split("=")[0].strip() not in values]
                    cfg.write_text("\n".join(lines + [f"{k} = {v}" for k, v in values.items()]) + "\n")
            self.sh(TOOLS / "add-user", "--home", self.home(n), "operator", input=self.password + "\n")
        for node in self.s["node"]:
            self.start_node(node["number"])
        for route in self.s.get("route", []):
            self.console(route["node"], f"bp:route-add {route['name']} {route['to']} {route['via']}")

    def start_relay(self, i, link):
        """Starts link i's delay relay (one process for both directions) and waits until it holds both
        TUN devices. It opens no socket; it is stopped by PID in cleanup()."""
        a, b = link["between"]
        delay = link.get("short_delay_ms", link["delay_ms"]) if self.short else link["delay_ms"]
        cmd = [sys.executable, str(Path(__file__).with_name("delay_relay.py")),
               "--a", f"{self.ns(a)}:{link['_devs'][a]}", "--b", f"{self.ns(b)}:{link['_devs'][b]}",
               "--delay-ms", str(delay), "--jitter-ms", str(link.get("jitter_ms", 0)),
               "--limit", str(link.get("delay_limit", 1000)), "--stats", str(self.work / f"relay-link{i}.json")]
        if link.get("realtime", True):
            cmd.append("--realtime")
        err = open(self.work / f"relay-link{i}.err", "a")
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True)
        self.relays[i] = p
        ready = []
        reader = threading.Thread(target=lambda: ready.append(p.stdout.readline()), daemon=True)
        reader.start()
        reader.join(30)
        if not ready or ready[0].strip() != "ready":
            raise RuntimeError(f"the delay relay of link {i} did not start: "
                               + (self.work / f"relay-link{i}.err").read_text()[-2000:])
        link["_delay_ms"] = delay
        self.event(f"link {i} delayed {delay} ms each way" + (f" ± {link['jitter_ms']} ms" if link.get("jitter_ms")
                                                               else "") + f" (relay PID {p.pid})")

    def check_relays(self):
        for i, p in self.relays.items():
            if p.poll() is not None:
                raise RuntimeError(f"the delay relay of link {i} ended (exit {p.returncode}): "
                                   + (self.work / f"relay-link{i}.err").read_text()[-2000:])

    def stop_relays(self):
        """SIGTERM (the relay writes its counters, then exits), SIGKILL if it has not within 5 s."""
        for p in self.relays.values():
            if p.poll() is None:
                p.terminate()
        for p in self.relays.values():
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def relay_stats(self):
        """What each delay relay forwarded and dropped so far (its --stats file, written on SIGUSR1)."""
        for p in self.relays.values():
            if p.poll() is None:
                p.send_signal(signal.SIGUSR1)
        time.sleep(0.5)
        out = {}
        for i in self.relays:
            try:
                st = json.loads((self.work / f"relay-link{i}.json").read_text())
            except (OSError, ValueError):
                continue
            ways = [st[k] for k in ("a->b", "b->a")]
            out[f"link {i} relay"] = (f"{st['delay ms']} ms; packets {'/'.join(str(w['packets']) for w in ways)}; "
                                      f"dropped (limit) {sum(w['dropped (limit)'] for w in ways)}; "
                                      f"dropped (far end down) {sum(w['dropped (far end down)'] for w in ways)}; "
                                      f"most queued {max(w['most queued'] for w in ways)}; "
                                      f"late ms (max) {max(w['late ms (max)'] for w in ways)}")
        return out

    def node_env(self, n):
        """A node with `faketime = true` runs under libfaketime: its wall clock is what the clock file
        says (an offset such as -1h, re-read every second), its monotonic clock is the real one, as when
        NTP steps a host's clock."""
        node = next(x for x in self.s["node"] if x["number"] == n)
        if not node.get("faketime"):
            return None
        lib = next((p for p in FAKETIME_LIBS if Path(p).exists()), None)
        if lib is None:
            raise RuntimeError("the scenario steps a node's clock: install libfaketime (tools/setup-deps kernel)")
        clock = self.home(n) / "clock-offset"
        if not clock.exists():
            clock.write_text("+0\n")
        return dict(os.environ, LD_PRELOAD=lib, FAKETIME_TIMESTAMP_FILE=str(clock), FAKETIME_CACHE_DURATION="1",
                    FAKETIME_DONT_FAKE_MONOTONIC="1")

    def start_node(self, n):
        r = self.sh("ip", "netns", "exec", self.ns(n), TOOLS / "start-node", self.home(n), check=False,
                    env=self.node_env(n))
        if r.returncode != 0:
            raise RuntimeError(f"node {n} did not start:\n{r.stdout}{r.stderr}")
        if n not in self.started:
            self.started.append(n)
        self.event(f"node {n} up")

    def node_pid(self, n):
        try:
            return int((self.home(n) / "karaf.pid").read_text().strip())
        except (OSError, ValueError):
            return None

    def client_cmd(self, n):
        return ["ip", "netns", "exec", self.ns(n), str(self.home(n) / "bin" / "client"), "-u", "operator", "-p",
                self.password, "-r", "60", "-d", "2", "-b"]

    def console(self, n, command, timeout=300):
        r = subprocess.run(self.client_cmd(n), input=command + "\n", text=True, capture_output=True,
                           timeout=timeout)
        return r.stdout + r.stderr

    def app(self, role, n, command):
        """An application on node n: a console command that runs until it ends (or its node dies)."""
        out = open(self.work / f"{role}.out", "a")
        p = subprocess.Popen(self.client_cmd(n), stdin=subprocess.PIPE, stdout=out, stderr=out, text=True)
        p.stdin.write(command + "\n")
        p.stdin.close()
        self.apps[role] = p

    def cleanup(self):
        for p in self.apps.values():
            if p.poll() is None:
                p.kill()
        # Every node of the scenario, not only those started: one still starting when a failure or SIGTERM
        # came has its karaf.pid already (the work directory is this run's own, so it names no older JVM).
        for n in [node["number"] for node in self.s["node"]]:
            pid = self.node_pid(n)
            if pid:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self.stop_relays()  # before the namespaces go: a relay holds a device in each
        for name in self.namespaces:
            subprocess.run(["ip", "netns", "del", name], capture_output=True)
        time.sleep(1)  # the killed JVMs let go of their files
        for m in self.mounts:
            subprocess.run(["umount", str(m)], capture_output=True)

    # ---- traffic and faults ---------------------------------------------------------------------
    def set_loss(self, link, percent):
        """Drops `percent` % of the packets arriving at each end of a link, at random (nftables' numgen
        on the veth's ingress hook): loss on the wire, without netem, which the host kernel lacks."""
        for m, dev in link["_devs"].items():
            table = f"loss_{dev}"
            self.dropped = getattr(self, "dropped", 0) + self.dropped_now(m, dev)
            self.sh("ip", "netns", "exec", self.ns(m), "nft", "delete", "table", "netdev", table, check=False)
            if percent > 0:
                rules = (f"table netdev {table} {{\n chain in {{\n  type filter hook ingress device {dev} priority 0;\n"
                         f"  numgen random mod 10000 < {int(percent * 100)} counter drop\n }}\n}}\n")
                self.sh("ip", "netns", "exec", self.ns(m), "nft", "-f", "-", input=rules)

    def dropped_now(self, n, dev):
        """Packets the loss rule on node n's end of a link (veth dev) dropped so far (0 without one)."""
        rules = self.sh("ip", "netns", "exec", self.ns(n), "nft", "list", "table", "netdev", f"loss_{dev}",
                        check=False).stdout
        return sum(int(x) for x in re.findall(r"counter packets (\d+)", rules))

    def set_link(self, link, up, check=True):
        """Both ends of a link's veth pair up or down."""
        for m, dev in link["_devs"].items():
            self.sh("ip", "-n", self.ns(m), "link", "set", dev, "up" if up else "down", check=check)

    def ids(self, path):
        """The bundle IDs a log holds, each once."""
        return {l[0] for l in self.lines(path)}

    def await_more(self, path, than, limit=600):
        """Waits until a log holds more than `than` bundle IDs, or `limit` seconds have passed."""
        start = time.monotonic()
        while len(self.ids(path)) <= than and time.monotonic() - start < limit:
            time.sleep(0.2)

    @staticmethod
    def sender(flow, count, log, to):
        """The sending application's command: count bundles at the flow's pace, each logged."""
        pace = f"-i {flow['interval']} " if "interval" in flow else ""
        return f"bp:send -n {count} {pace}--size {flow.get('_size', flow['size'])} --log {log} {to}"

    @staticmethod
    def lines(path):
        try:
            return [l.split() for l in path.read_text().splitlines() if l.strip() and not l.startswith("#")]
        except FileNotFoundError:
            return []

    def run(self):
        t = self.s["traffic"]
        count = t.get("short_count", t["count"]) if self.short else t["count"]
        if self.short and "short_size" in t:
            t["_size"] = t["short_size"]
        sent_log, recv_log = self.work / "sent.log", self.work / "received.log"
        endpoint = t["to"]
        rx_node, tx_node = int(endpoint.split(":")[1].split(".")[0]), t["from"]
        # The receiver takes whatever comes (duplicates too) until the runner has seen every bundle.
        recv = f"bp:recv -n 100000000 -t 900 --log {recv_log} {endpoint}"
        self.app("receiver", rx_node, recv)
        time.sleep(3)  # the receiver binds before the first bundle comes
        self.event(f"sending {count} bundles of {t.get('_size', t['size'])} bytes from node {tx_node} to {endpoint}")
        self.sending_at = time.monotonic() - self.t0
        self.app("sender", tx_node, self.sender(t, count, sent_log, endpoint))
        # Further flows (e.g. the other direction) run beside the first; faults restart only the first's
        # applications.
        flows = [(count, sent_log, recv_log)]
        for i, fl in enumerate(self.s.get("flow", []), start=1):
            n_i = fl.get("short_count", fl["count"]) if self.short else fl["count"]
            s_i, r_i = self.work / f"sent-{i}.log", self.work / f"received-{i}.log"
            rx_i = int(fl["to"].split(":")[1].split(".")[0])
            self.app(f"receiver-{i}", rx_i, f"bp:recv -n 100000000 -t 900 --log {r_i} {fl['to']}")
            time.sleep(3)
            self.app(f"sender-{i}", fl["from"], self.sender(fl, n_i, s_i, fl["to"]))
            self.event(f"flow {i}: {n_i} bundles of {fl['size']} bytes from node {fl['from']} to {fl['to']}")
            flows.append((n_i, s_i, r_i))
        self.flows = flows
        rss = {}
        # A fault fires when the sender's log (bundles accepted) or the receiver's (bundles received)
        # reaches its mark, scaled to the short form's count.
        faults = self.s.get("fault", [])
        scale = count / t["count"]
        deadline = time.monotonic() + t.get("timeout", 900)
        resumed_at = {}
        # (seconds, accepted, received) of the first flow every half second, for timeline.{csv,png}; a
        # thread of its own, as faults block the loop below (a kill waits for the restart).
        self.timeline, sampling = [], threading.Event()

        def sample():
            while not sampling.wait(0.5):
                self.timeline.append((round(time.monotonic() - self.t0, 1), len(self.lines(sent_log)),
                                      len(self.ids(recv_log))))
        threading.Thread(target=sample, daemon=True).start()
        while time.monotonic() < deadline:
            sent = len(self.lines(sent_log))
            got = len(self.ids(recv_log))
            due = [f for f in faults if sent >= f.get("after_sent", 0) * scale and got >= f.get("after_received", 0) * scale]
            for f in due:
                faults.remove(f)
                time.sleep(f.get("short_delay_seconds", f.get("delay_seconds", 0)) if self.short
                           else f.get("delay_seconds", 0))
                self.fault(f, count, sent_log, recv_log, rx_node, tx_node, endpoint, resumed_at)
            for node in self.started:
                rss[node] = max(rss.get(node, 0), self.rss_mb(node))
            self.check_relays()
            others_done = all(len(self.lines(sl)) >= n_i and len(self.ids(rl)) >= len(self.lines(sl))
                              for n_i, sl, rl in flows[1:])
            if sent >= count and got >= sent and not faults and others_done and not self.flapping():
                settle = t.get("settle_seconds", 5)
                time.sleep(t.get("short_settle_seconds", settle) if self.short else settle)  # late duplicates would come now
                break
            sent = len(self.lines(sent_log))
            sender = self.apps.get("sender")
            if sender is not None and sender.poll() is not None and sent < count:
                out = (self.work / "sender.out").read_text()
                plain = re.sub(r"\x1b\[[0-9;]*m", "", out)  # Karaf colours its messages
                errors = [l for l in plain.splitlines() if l.startswith("Error")]
                if t.get("retry_refused") and errors and len(errors) > len(self.refusals):
                    # The node refused a send (its store is full): the application is told why and
                    # tries again later, as an application should.
                    self.refusals.append(errors[-1])
                    self.event(f"send refused after {sent} accepted: {errors[-1][:160]}")
                    time.sleep(t.get("retry_seconds", 5))
                    self.app("sender", tx_node, self.sender(t, count - sent, sent_log, endpoint))
                else:
                    raise RuntimeError(f"the sender ended after {sent} of {count}: " + out[-2000:])
            time.sleep(0.05)
        self.event("traffic done" if time.monotonic() < deadline else "timed out")
        sampling.set()
        result = self.check(count, sent_log, recv_log, resumed_at)
        for n_i, sl, rl in flows[1:]:
            other = self.check(n_i, sl, rl, {})
            for k in ("bundles", "accepted", "received", "lost", "duplicated", "changed",
                      "repeated by the node, recognised by the application", "received, not logged as accepted"):
                result[k] += other[k]
            result["lost IDs (first 5)"] += " " + other["lost IDs (first 5)"]
        result["flows"] = len(flows)
        result["sends refused"] = len(self.refusals)
        if self.refusals:
            result["first refusal"] = self.refusals[0][:200]
        result["peak RSS (MB)"] = "; ".join(f"node {n}: {m}" for n, m in sorted(rss.items()))
        if self.s.get("report_transfer"):
            result.update(self.transfer_report(count, t.get("_size", t["size"])))
        dropped = getattr(self, "dropped", 0) + sum(self.dropped_now(m, dev) for link in self.s.get("link", [])
                                                     for m, dev in link.get("_devs", {}).items())
        if dropped or any(l.get("loss_percent") for l in self.s.get("link", [])):
            result["packets dropped (loss)"] = dropped
        result.update(self.relay_stats())
        for n in self.s.get("report_links", []):
            # What each link carried (bytes sent, bundles re-sent after a cut): kept beside the results.
            (self.work / f"links-node{n}.txt").write_text(self.console(n, "bp:links"))
            # ...and what went on the wire: the qdisc's byte count includes everything sent again.
            wire = self.sh("ip", "netns", "exec", self.ns(n), "tc", "-s", "qdisc", "show", check=False).stdout
            (self.work / f"wire-node{n}.txt").write_text(wire)
            sent = sum(int(m) for m in re.findall(r"Sent (\d+) bytes", wire))
            result[f"bytes on the wire from node {n}"] = sent
        return result

    def transfer_report(self, count, size):
        """What a link cost the first flow (report_transfer = true): when the first and the last bundle
        arrived, counted from the first bundle the sending node accepted (from the half-second
        timeline, so to within a second), the goodput, how many convergence-layer sessions each
        node brought up (one each: the session lasted), and what TCP did in each node's namespace
        (retransmissions, timeouts; `ss -tin` of its connections kept in tcp-nodeN.txt)."""
        out = {}
        rows = list(self.timeline)
        start = next((r[0] for r in rows if r[1] > 0), self.sending_at)
        first = next((r[0] for r in rows if r[2] > 0), None)
        last = next((r[0] for r in rows if r[2] >= count), None)
        if first is not None:
            out["first bundle received after (s)"] = round(first - start, 1)
        if last is not None:
            took = max(last - start, 0.5)
            out["all received after (s)"] = round(took, 1)
            out["goodput (Mbit/s)"] = round(count * size * 8 / took / 1e6, 2)
        for n in self.started:
            try:
                text = (self.home(n) / "data" / "log" / "karaf.log").read_text(errors="replace")
            except OSError:
                text = ""
            out[f"sessions up on node {n}"] = len(re.findall(r"\| Link \S+ up: ", text))
            downs = re.findall(r"\| Link \S+(?: \([^)]*\))? down: ([^\n]*)", text)
            if downs:
                out[f"sessions down on node {n}"] = "; ".join(sorted(set(d.strip()[:80] for d in downs)))
            tcp = self.sh("ip", "netns", "exec", self.ns(n), "ss", "-tin", check=False).stdout
            (self.work / f"tcp-node{n}.txt").write_text(tcp)
            counters = self.sh("ip", "netns", "exec", self.ns(n), "nstat", "-az", check=False).stdout
            want = ("TcpRetransSegs", "TcpExtTCPTimeouts", "TcpExtTCPSpuriousRTOs", "TcpExtTCPSynRetrans")
            found = {m[0]: m[1] for m in re.findall(r"^(\w+)\s+(\d+)", counters, re.M) if m[0] in want}
            out[f"TCP on node {n}"] = ", ".join(f"{k.replace('TcpExt', '')} {found.get(k, '?')}" for k in want)
        return out

    def plot(self):
        """timeline.csv, and timeline.png where matplotlib is installed: bundles accepted and received
        over time, with the faults marked."""
        rows = getattr(self, "timeline", [])
        (self.work / "timeline.csv").write_text("seconds,accepted,received\n"
                                                 + "".join(f"{t},{a},{r}\n" for t, a, r in rows))
        try:
            import matplotlib
            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:
            log("matplotlib is not installed: no timeline.png (apt-get install python3-matplotlib)")
            return
        if not rows:
            return
        fig, ax = plt.subplots(figsize=(8, 3.5))
        ax.plot([r[0] for r in rows], [r[1] for r in rows], drawstyle="steps-post", label="accepted by the sending node")
        ax.plot([r[0] for r in rows], [r[2] for r in rows], drawstyle="steps-post", label="received by the application")
        for t, what in self.events:
            if any(w in what for w in ("kill", "cut", "restored", "clock", "loses", "refused", "flaps")):
                ax.axvline(t, color="grey", linewidth=0.6, linestyle=":")
                ax.annotate(what[:28], (t, 0), rotation=90, fontsize=6, va="bottom", ha="right", color="grey")
        ax.set_xlabel("seconds since the run began")
        ax.set_ylabel("bundles")
        ax.set_title(f"{self.s['name']}: {self.s.get('description', '')}"[:95], fontsize=8)
        ax.legend(fontsize=7, loc="upper left")
        fig.tight_layout()
        fig.savefig(self.work / "timeline.png", dpi=90)
        plt.close(fig)

    def rss_mb(self, n):
        pid = self.node_pid(n)
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) // 1024
        except (OSError, ValueError, TypeError):
            pass
        return 0

    def flapping(self):
        return any(t.is_alive() for t in getattr(self, "flappers", []))

    def fault(self, f, count, sent_log, recv_log, rx_node, tx_node, endpoint, resumed_at):
        kind, n = f["action"], f.get("node")
        if kind == "kill":
            pid = self.node_pid(n)
            os.kill(pid, signal.SIGKILL)
            killed = time.monotonic()
            got_before = len(self.ids(recv_log))
            self.event(f"kill -9 node {n} (PID {pid}) after {len(self.lines(sent_log))} accepted, "
                       f"{got_before} received")
            time.sleep(f.get("down_seconds", 5))
            self.start_node(n)
            # The applications of the node that died died with it: start them again for what is left.
            if n == rx_node:
                self.apps["receiver"].wait(timeout=60)
                self.app("receiver", rx_node, f"bp:recv -n 100000000 -t 900 --log {recv_log} {endpoint}")
            if n == tx_node:
                self.apps["sender"].wait(timeout=60)
                left = count - len(self.lines(sent_log))
                if left > 0:
                    self.app("sender", tx_node, self.sender(self.s["traffic"], left, sent_log, endpoint))
            # Time to resume: from the kill to the first bundle received after the restart.
            self.await_more(recv_log, got_before)
            resumed_at[n] = round(time.monotonic() - killed, 1)
            self.event(f"bundles flow again {resumed_at[n]} s after the kill of node {n}")
        elif kind in ("link-cut", "link-down"):
            # Both ends of the veth pair down (for down_seconds, then up, for link-cut): the TCP connection
            # under the convergence layer breaks or stalls, as when a radio link goes away.
            link = self.s["link"][f["link"] - 1]
            self.got_at_cut = len(self.ids(recv_log))
            self.set_link(link, False)
            self.event(f"link {f['link']} cut after {self.got_at_cut} received")
            if kind == "link-cut":
                time.sleep(f.get("down_seconds", 10))
                self.link_up(f, recv_log, resumed_at)
        elif kind == "link-up":
            self.link_up(f, recv_log, resumed_at)
        elif kind == "loss":
            # A link's packet loss changed, e.g. a radio link fading (0 restores it).
            link = self.s["link"][f["link"] - 1]
            self.set_loss(link, f["percent"])
            self.event(f"link {f['link']} loses {f['percent']} % of its packets")
        elif kind == "clock-step":
            # The node's wall clock jumps (its monotonic clock does not): `offset` from the true time, in
            # libfaketime's form (-1h, +30m, +0). Takes effect within a second.
            (self.home(n) / "clock-offset").write_text(f["offset"] + "\n")
            time.sleep(1.5)
            self.event(f"node {n}'s clock set to the true time {f['offset']}")
        elif kind == "flap":
            # The link goes down and up every period_seconds / 2, for for_seconds (scaled in the short form).
            link = self.s["link"][f["link"] - 1]
            length = f.get("short_for_seconds", f["for_seconds"]) if self.short else f["for_seconds"]
            half = f["period_seconds"] / 2

            def flap():
                end, up = time.monotonic() + length, True
                while time.monotonic() < end:
                    time.sleep(half)
                    up = not up
                    self.set_link(link, up, check=False)
                self.set_link(link, True, check=False)
            th = threading.Thread(target=flap, daemon=True)
            th.start()
            self.flappers = getattr(self, "flappers", []) + [th]
            self.event(f"link {f['link']} flaps every {f['period_seconds']} s for {length} s")
        else:
            raise ValueError(f"unknown fault action '{kind}' (kill, link-cut, link-down, link-up, flap, loss, clock-step)")

    def link_up(self, f, recv_log, resumed_at):
        """Brings a cut link back and measures how long until bundles flow again."""
        link = self.s["link"][f["link"] - 1]
        self.set_link(link, True)
        restored = time.monotonic()
        got_restored = len(self.ids(recv_log))
        self.event(f"link {f['link']} restored ({got_restored - getattr(self, 'got_at_cut', got_restored)} "
                   "received while it was cut: what was in flight)")
        self.await_more(recv_log, got_restored)
        name = f"link {f['link']}"
        while name in resumed_at:
            name += "'"  # the link's next cut
        resumed_at[name] = round(time.monotonic() - restored, 1)
        self.event(f"bundles flow again {resumed_at[name]} s after the link came back")

    def check(self, count, sent_log, recv_log, resumed_at):
        sent = {l[0]: (l[1], l[2]) for l in self.lines(sent_log)}
        received = self.lines(recv_log)
        seen, duplicates, changed = set(), 0, 0
        for bid, length, digest in received:
            if bid in seen:
                duplicates += 1
            seen.add(bid)
            if bid in sent and sent[bid] != (length, digest):
                changed += 1
        lost = sorted(set(sent) - seen)
        try:
            repeats = sum(1 for l in recv_log.read_text().splitlines() if l.startswith("# repeated "))
        except FileNotFoundError:
            repeats = 0
        unexpected = len(seen - set(sent))
        return {"scenario": self.s["name"], "bundles": count, "accepted": len(sent), "received": len(received),
                "lost": len(lost), "duplicated": duplicates, "changed": changed,
                "repeated by the node, recognised by the application": repeats,
                "received, not logged as accepted": unexpected,
                "time to resume (s)": "; ".join(f"{n if isinstance(n, str) else 'node ' + str(n)}: {t}"
                                              for n, t in resumed_at.items()) or "-",
                "seconds": round(time.monotonic() - self.t0, 1), "lost IDs (first 5)": " ".join(lost[:5])}


def stop_cleanly_on_sigterm():
    """SIGTERM (timeout(1), a CI runner) unwinds like Ctrl-C, so each scenario's cleanup still runs."""
    def interrupt(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, interrupt)


def main():
    stop_cleanly_on_sigterm()
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--short", action="store_true", help="the short form of each scenario (CI)")
    ap.add_argument("scenarios", nargs="+", type=Path)
    a = ap.parse_args()
    out_dir = REPO / "itests" / "testbed" / "target"
    out_dir.mkdir(parents=True, exist_ok=True)
    results = []
    for path in a.scenarios:
        scenario = tomllib.loads(path.read_text())
        if a.short and scenario.get("known_failure"):
            # A scenario that shows an open finding runs in the full form only; said, not hidden.
            log(f"== {scenario['name']}: SKIPPED in the short form: known failure: {scenario['known_failure']}")
            continue
        if a.short and scenario.get("full_form_only"):
            log(f"== {scenario['name']}: SKIPPED in the short form: {scenario['full_form_only']}")
            continue
        work = out_dir / scenario["name"]
        subprocess.run(["rm", "-rf", str(work)])
        work.mkdir(parents=True)
        bed = Testbed(scenario, a.short, work)
        log(f"== {scenario['name']}: {scenario.get('description', '')}")
        try:
            bed.setup()
            r = bed.run()
        except Exception as e:  # noqa: BLE001 - the result says what broke; the namespaces still go
            r = {"scenario": scenario["name"], "error": str(e)}
        finally:
            bed.cleanup()
        (work / "events.csv").write_text("seconds,event\n" + "".join(f"{t},{w}\n" for t, w in bed.events))
        bed.plot()
        results.append(r)
        log("   " + ", ".join(f"{k}: {v}" for k, v in r.items()))
    keys = list(dict.fromkeys(k for r in results for k in r))
    with open(out_dir / "results.csv", "w", newline="") as f:
        w = csv.DictWriter(f, keys)
        w.writeheader()
        w.writerows(results)
    md = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    md += ["| " + " | ".join(str(r.get(k, "")) for k in keys) + " |" for r in results]
    (out_dir / "results.md").write_text("\n".join(md) + "\n")
    log(f"results: {out_dir / 'results.csv'}, {out_dir / 'results.md'}")
    bad = [r for r in results if r.get("error") or r.get("lost") or r.get("duplicated") or r.get("changed")
           or r.get("accepted", 0) < r.get("bundles", 0)]
    for r in bad:
        log(f"FAILED: {r['scenario']}: {r.get('error') or r}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
