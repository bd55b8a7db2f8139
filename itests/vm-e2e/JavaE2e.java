import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;

import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.api.option.SocketOptionNames;
import org.bpsockets.socket.BpSocket;
import org.bpsockets.socket.BpSocketException;

/** The Java binding (bundles/org.bpsockets.socket) against the real node in the test VM. TAP on stdout. */
public class JavaE2e {
    static int n;
    static boolean failed;

    static void check(String description, boolean ok) {
        n++;
        failed |= !ok;
        System.out.println((ok ? "ok " : "not ok ") + n + " - " + description);
    }

    interface Call {
        void run() throws Exception;
    }

    static int errno(Call call) {
        try {
            call.run();
            return 0;
        } catch (BpSocketException e) {
            return e.errno();
        } catch (Exception e) {
            return -1;
        }
    }

    public static void main(String[] args) throws Exception {
        EndpointId me = EndpointId.parse("ipn:1.70");
        try (BpSocket s = BpSocket.open(); BpSocket pinger = BpSocket.open()) {
            s.bind(EndpointId.parse("ipn:!.70"));
            check("bind ipn:!.70; the local endpoint is this node's", me.equals(s.localEndpoint()));
            s.setOption(SocketOptionNames.BP_LIFETIME_MS, 60_000L);
            s.setOption(SocketOptionNames.BP_CLASS_OF_SERVICE, BpSocket.BP_COS_EXPEDITED);
            s.setOption(SocketOptionNames.BP_REPORT_TO, me);
            byte[] big = new byte[150_000];
            new java.util.Random(7).nextBytes(big);
            s.send(me, big);
            BpSocket.Datagram d = s.receive(Duration.ofSeconds(60));
            check("a 150 kB ADU to itself through the node, whole", Arrays.equals(big, d.payload()) && me.equals(d.source()));
            s.setOption(SocketOptionNames.BP_RECVSTATUS, 1);
            s.setOption(SocketOptionNames.BP_STATUS_REPORTS, SocketOptionNames.BP_REPORT_DELIVERY);
            s.send(me, "report me".getBytes());
            BpSocket.Status accepted = s.receiveStatus(Duration.ofSeconds(60));
            BpSocket.Datagram reported = s.receive(Duration.ofSeconds(60));
            BpSocket.Status report = s.receiveStatus(Duration.ofSeconds(60));
            // ION's backend does not learn the bundle ID a send became (docs/decisions/0008, known gap).
            boolean ion = "ion".equals(System.getenv("BP_E2E_BACKEND"));
            check("receiveStatus: the ACCEPTED record names the bundle the second send became " + accepted,
                    accepted.status() == SocketOptionNames.BP_STATUS_ACCEPTED && accepted.sendId() == 1
                            && (ion || accepted.creationTime() > 0) && me.equals(accepted.source())
                            && accepted.reporter() == null);
            check("then the node's delivery report about " + (ion ? "a bundle from it " : "that very bundle ") + report,
                    report.status() == SocketOptionNames.BP_REPORT_DELIVERY
                            && EndpointId.parse("ipn:1.0").equals(report.reporter())
                            && (ion || report.creationTime() == accepted.creationTime()
                                    && report.sequence() == accepted.sequence())
                            && me.equals(report.source()) && "report me".equals(new String(reported.payload())));
            if (ion) {
                n++;
                System.out.println("ok " + n + " - the report names the very bundle the ACCEPTED record named # SKIP through"
                        + " ION the ACCEPTED record's bundle ID has creation time 0 (libbp's bp_send does not return it)");
            }
            s.setOption(SocketOptionNames.BP_STATUS_REPORTS, 0);
            s.setOption(SocketOptionNames.BP_RECVSTATUS, 0);
            pinger.connect(EndpointId.parse("ipn:1.9002"));
            pinger.send("java ping".getBytes());
            BpSocket.Datagram echo = pinger.receive(Duration.ofSeconds(60));
            check("the node's echo service answers a connected socket",
                    "java ping".equals(new String(echo.payload())) && EndpointId.parse("ipn:1.9002").equals(echo.source()));
            check("an option no extension handles is ENOPROTOOPT", errno(() -> s.setOption(100, 1)) == 92);
            check("a bad option value is EINVAL", errno(() -> s.setOption(SocketOptionNames.BP_HOP_LIMIT, 300)) == 22);
            boolean timedOut = false;
            try {
                s.receive(Duration.ofSeconds(1));
            } catch (SocketTimeoutException e) {
                timedOut = true;
            }
            check("receive with nothing queued times out", timedOut);
            check("binding an endpoint in use is EADDRINUSE", errno(() -> {
                try (BpSocket other = BpSocket.open()) {
                    other.bind(me);
                }
            }) == 98);
        }
        System.out.println("1.." + n);
        System.exit(failed ? 1 : 0);
    }
}
