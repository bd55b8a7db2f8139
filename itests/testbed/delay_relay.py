#!/usr/bin/env python3
"""A link with delay, made in user space (the host kernel has no sch_netem): two TUN devices, one in
each node's network namespace, joined by this process. It reads each IP packet that one end sends,
holds it for the delay, and writes it into the other end, in both directions; what netem's `delay`
does on a link (docs/decisions/0020-link-delay-without-netem.md).

usage: delay_relay.py --a NETNS:DEV --b NETNS:DEV --delay-ms N [--jitter-ms J] [--limit P] [--stats FILE]
                      [--realtime]

The two TUN devices are made beforehand by the testbed (`ip -n NETNS tuntap add DEV mode tun`, with
addresses, tbf and nftables rules like a veth's); this process attaches to each by name from inside its
namespace (setns on /var/run/netns/NETNS) and then goes back to its own namespace. It opens no socket,
so it listens on nothing. It prints "ready" once both devices are attached; SIGUSR1 makes it write its
counters to --stats (JSON), SIGTERM too and then it exits.

--realtime runs its threads under SCHED_RR (the lowest real-time priority): on a loaded machine a
normal thread that sleeps 100 ms wakes up to 100 ms late (measured here with two busy VMs beside it),
a real-time one within a millisecond; netem's timer fires in the kernel, so this is what comes close.
A real-time thread that runs away could starve the machine, so RLIMIT_RTTIME limits each thread to
0.5 s of CPU without blocking (SIGXCPU, then SIGKILL at 1 s): the relay dies, the link with it, and
the testbed says so. Every loop here blocks (read, or a wait for the next packet's time).

Like netem's delay:
- every packet is held `delay` ms from the moment this process read it (a reader thread per direction);
- without jitter, order is kept; with `jitter` each packet's delay is drawn uniformly from
  delay ± jitter (netem's default when no distribution table is given) and packets may be reordered;
- at most `limit` packets wait in each direction (netem's default limit is 1,000); one more is dropped
  and counted;
- a packet that cannot be written (the far end's device is down: EIO) is dropped and counted, as a
  packet sent into a link that is down.
Rate (tbf on each TUN's egress) and loss (nftables on each TUN's ingress) stay the testbed's, as for a
veth; packets leave tbf, then wait here: serialisation, then propagation.
"""
import argparse
import ctypes
import errno
import fcntl
import heapq
import json
import os
import random
import resource
import signal
import struct
import sys
import threading
import time

CLONE_NEWNET = 0x40000000
TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000

libc = ctypes.CDLL(None, use_errno=True)


def setns(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            e = ctypes.get_errno()
            raise OSError(e, f"setns({path}): {os.strerror(e)}")
    finally:
        os.close(fd)


def attach(netns, dev):
    """Opens the TUN device `dev` of namespace `netns`; the fd stays bound to that device after this
    thread has left the namespace."""
    setns(f"/var/run/netns/{netns}")
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", dev.encode(), IFF_TUN | IFF_NO_PI))
    return fd


class Direction:
    """One way through the link: a reader thread queues each packet with the time it is due, a writer
    thread writes it then."""

    def __init__(self, name, src, dst, delay, jitter, limit):
        self.name, self.src, self.dst = name, src, dst
        self.delay, self.jitter, self.limit = delay, jitter, limit
        self.queue = []  # heap of (due, seq, packet); seq keeps arrival order among equal due times
        self.cv = threading.Condition()
        self.seq = 0
        self.stats = {"packets": 0, "bytes": 0, "dropped (limit)": 0, "dropped (far end down)": 0,
                      "most queued": 0, "late ms (max)": 0.0}

    def read(self):
        rnd = random.Random()
        while True:
            try:
                pkt = os.read(self.src, 65536)
            except OSError as e:
                if e.errno in (errno.EINTR, errno.EAGAIN):
                    continue
                raise
            now = time.monotonic()
            d = self.delay if not self.jitter else max(0.0, rnd.uniform(self.delay - self.jitter,
                                                                         self.delay + self.jitter))
            with self.cv:
                if len(self.queue) >= self.limit:
                    self.stats["dropped (limit)"] += 1
                    continue
                self.seq += 1
                heapq.heappush(self.queue, (now + d, self.seq, pkt))
                self.stats["most queued"] = max(self.stats["most queued"], len(self.queue))
                if self.queue[0][1] == self.seq:  # the new packet is the next due: wake the writer
                    self.cv.notify()

    def write(self):
        while True:
            with self.cv:
                while True:
                    if self.queue:
                        wait = self.queue[0][0] - time.monotonic()
                        if wait <= 0:
                            due, _, pkt = heapq.heappop(self.queue)
                            break
                        self.cv.wait(wait)
                    else:
                        self.cv.wait()
            late = (time.monotonic() - due) * 1000
            if late > self.stats["late ms (max)"]:
                self.stats["late ms (max)"] = round(late, 2)
            try:
                os.write(self.dst, pkt)
                self.stats["packets"] += 1
                self.stats["bytes"] += len(pkt)
            except OSError as e:  # EIO: the far end is down; the packet is lost, as on a cut link
                if e.errno not in (errno.EIO, errno.EINVAL, errno.ENOBUFS, errno.EAGAIN):
                    raise
                self.stats["dropped (far end down)"] += 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--a", required=True, help="NETNS:DEV of one end")
    ap.add_argument("--b", required=True, help="NETNS:DEV of the other end")
    ap.add_argument("--delay-ms", type=float, required=True)
    ap.add_argument("--jitter-ms", type=float, default=0.0)
    ap.add_argument("--limit", type=int, default=1000, help="packets waiting per direction (netem: 1000)")
    ap.add_argument("--stats", help="JSON counters written here on SIGUSR1 and SIGTERM")
    ap.add_argument("--realtime", action="store_true", help="SCHED_RR, for timing on a loaded machine")
    a = ap.parse_args()
    own = os.open("/proc/self/ns/net", os.O_RDONLY)
    fds = []
    for end in (a.a, a.b):
        netns, dev = end.split(":")
        fds.append(attach(netns, dev))
    if libc.setns(own, CLONE_NEWNET) != 0:  # back home: this process holds neither namespace
        sys.exit("setns back to the relay's own namespace failed")
    os.close(own)
    delay, jitter = a.delay_ms / 1000, a.jitter_ms / 1000
    dirs = [Direction("a->b", fds[0], fds[1], delay, jitter, a.limit),
            Direction("b->a", fds[1], fds[0], delay, jitter, a.limit)]
    started = time.monotonic()

    def dump(signum=None, frame=None):
        if a.stats:
            out = {"delay ms": a.delay_ms, "jitter ms": a.jitter_ms, "limit": a.limit,
                   "seconds": round(time.monotonic() - started, 1)}
            for d in dirs:
                with d.cv:
                    out[d.name] = dict(d.stats, queued=len(d.queue))
            tmp = a.stats + ".tmp"
            with open(tmp, "w") as f:
                json.dump(out, f, indent=1)
            os.replace(tmp, a.stats)

    def stop(signum, frame):
        dump()
        os._exit(1 if failed else 0)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGUSR1, dump)
    if a.realtime:
        try:
            resource.setrlimit(resource.RLIMIT_RTTIME, (500_000, 1_000_000))  # microseconds
            os.sched_setscheduler(0, os.SCHED_RR, os.sched_param(1))  # the threads below inherit it
        except OSError as e:  # e.g. no CAP_SYS_NICE: a link with looser timing, said
            print(f"delay_relay: no real-time scheduling ({e}); delays may run late", file=sys.stderr, flush=True)
    for d in dirs:
        # Daemon threads: a crash in one ends the process (below), and the link with it, visibly.
        for fn in (d.read, d.write):
            threading.Thread(target=guard, args=(fn,), daemon=True, name=f"{d.name} {fn.__name__}").start()
    print("ready", flush=True)
    while True:
        signal.pause()


failed = False


def guard(fn):
    global failed
    try:
        fn()
    except BaseException as e:  # noqa: BLE001 - a dead relay thread must not leave a half link
        failed = True
        print(f"delay_relay: {threading.current_thread().name}: {e!r}", file=sys.stderr, flush=True)
        os.kill(os.getpid(), signal.SIGTERM)  # counters written, exit status 1: the testbed says so


if __name__ == "__main__":
    main()
