"""The Python binding (tools/bp/python) against the real node in the test VM. TAP on stdout."""
import errno
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../tools/bp/python"))
import bpsocket as bp  # noqa: E402

results = []


def check(description, condition):
    results.append(bool(condition))
    print("%s %d - %s" % ("ok" if condition else "not ok", len(results), description))


def skip(description, reason):
    results.append(True)
    print("ok %d - %s # SKIP %s" % (len(results), description, reason))


# BP_E2E_BACKEND=ion: the node's active backend is ION (itests/vm-e2e/guest.sh, section 7).
ION = os.environ.get("BP_E2E_BACKEND") == "ion"


def raises(call, kind, err=None):
    try:
        call()
    except kind as e:
        return err is None or e.errno == err
    return False


with bp.BpSocket() as s, bp.BpSocket() as pinger:
    s.bind("ipn:!.60")
    check("bind ipn:!.60; getsockname names this node's endpoint", s.getsockname() == "ipn:1.60")
    s.setsockopt(bp.BP_LIFETIME_MS, 60000)
    s.setsockopt(bp.BP_CLASS_OF_SERVICE, bp.BP_COS_EXPEDITED)
    s.setsockopt(bp.BP_REPORT_TO, "ipn:1.60")
    s.sendto(b"to myself", "ipn:1.60")
    payload, source = s.recvfrom(timeout=60)
    check("sendto / recvfrom through the node", payload == b"to myself" and source == "ipn:1.60")
    s.setsockopt(bp.BP_RECVSTATUS, 1)
    s.setsockopt(bp.BP_STATUS_REPORTS, bp.BP_REPORT_DELIVERY)
    s.sendto(b"report me", "ipn:1.60")
    accepted = s.recv_status(timeout=60)
    payload, _ = s.recvfrom(timeout=60)
    report = s.recv_status(timeout=60)
    if ION:
        # ION's backend does not learn the bundle ID a send became (docs/decisions/0008, known gap).
        check("recv_status: the ACCEPTED record of the second send (%r)" % (accepted,),
              accepted.status == bp.BP_STATUS_ACCEPTED and accepted.send_id == 1
              and accepted.source == "ipn:1.60" and accepted.reporter is None)
        check("then ION's delivery report about a bundle from ipn:1.60 (%r)" % (report,),
              report.status == bp.BP_REPORT_DELIVERY and report.reporter == "ipn:1.0" and payload == b"report me"
              and report.source == "ipn:1.60")
        skip("the report names the very bundle the ACCEPTED record named",
             "through ION the ACCEPTED record's bundle ID has creation time 0 (libbp's bp_send does not return it)")
    else:
        check("recv_status: the ACCEPTED record names the bundle the second send became (%r)" % (accepted,),
              accepted.status == bp.BP_STATUS_ACCEPTED and accepted.send_id == 1 and accepted.creation_time > 0
              and accepted.source == "ipn:1.60" and accepted.reporter is None)
        check("then the node's delivery report about that very bundle (%r)" % (report,),
              report.status == bp.BP_REPORT_DELIVERY and report.reporter == "ipn:1.0" and payload == b"report me"
              and (report.source, report.creation_time, report.sequence)
              == (accepted.source, accepted.creation_time, accepted.sequence))
    s.setsockopt(bp.BP_STATUS_REPORTS, 0)
    s.setsockopt(bp.BP_RECVSTATUS, 0)
    big = os.urandom(200000)
    s.sendto(big, "ipn:1.60")
    payload, _ = s.recvfrom(timeout=60)
    check("a 200 kB ADU arrives whole (its size read with MSG_PEEK|MSG_TRUNC)", payload == big)
    pinger.connect("ipn:1.9002")
    pinger.send(b"python ping")
    payload, source = pinger.recvfrom(timeout=60)
    check("the node's echo service answers a connected socket", payload == b"python ping" and source == "ipn:1.9002")
    check("a malformed EID is a ValueError", raises(lambda: s.sendto(b"x", "ipn:1"), ValueError))
    check("an option no extension handles is ENOPROTOOPT", raises(lambda: s.setsockopt(100, 1), OSError, errno.ENOPROTOOPT))
    check("a bad option value is EINVAL", raises(lambda: s.setsockopt(bp.BP_HOP_LIMIT, 300), OSError, errno.EINVAL))
    check("recvfrom with nothing queued times out", raises(lambda: s.recvfrom(timeout=1), TimeoutError))
    check("binding an endpoint in use is EADDRINUSE",
          raises(lambda: bp.BpSocket().bind("ipn:1.60"), OSError, errno.EADDRINUSE))

print("1..%d" % len(results))
sys.exit(0 if all(results) else 1)
