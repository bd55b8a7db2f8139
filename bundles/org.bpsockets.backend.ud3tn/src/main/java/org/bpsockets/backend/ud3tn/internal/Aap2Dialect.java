package org.bpsockets.backend.ud3tn.internal;

import java.util.List;

import org.bpsockets.api.BpError;
import org.bpsockets.api.BpException;
import org.bpsockets.api.eid.DtnEndpointId;
import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.api.eid.IpnEndpointId;
import org.bpsockets.backend.ud3tn.internal.aap2.Aap2.BundleADU;
import org.bpsockets.backend.ud3tn.internal.aap2.Aap2.BundleADUFlags;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.UnknownFieldSet;

/**
 * Everything that differs between µD3TN versions, or that µD3TN does its own way, in one place.
 *
 * <ul>
 * <li>v0.13.0 (the version tested here) cannot set lifetime, priority or report requests per ADU:
 * the backend declares no bundle options, so the registry refuses such sends with a clear error.</li>
 * <li>{@code adu_flags} is singular in v0.13.0 and repeated (packed) in newer versions; our proto
 * declares it singular, so a newer node's packed list arrives as an unknown field, read here.</li>
 * <li>Newer versions configure links with a {@code link} message; v0.13.0 only with a configuration
 * bundle to its config agent ({@link #contactCommand}).</li>
 * </ul>
 */
final class Aap2Dialect {

    /** µD3TN answers ERROR for more and then reads the payload as frames: never send more. */
    static final long MAX_ADU = 1L << 30;

    private Aap2Dialect() {
    }

    /** True if the ADU is a bundle protocol data unit (BIBE), in either version's encoding. */
    static boolean isBpdu(BundleADU adu) {
        if (adu.getAduFlags() == BundleADUFlags.BUNDLE_ADU_BPDU) {
            return true;
        }
        UnknownFieldSet.Field packed = adu.getUnknownFields().getField(BundleADU.ADU_FLAGS_FIELD_NUMBER);
        if (packed == null) {
            return false;
        }
        for (ByteString list : packed.getLengthDelimitedList()) {
            try {
                CodedInputStream in = list.newCodedInput();
                while (!in.isAtEnd()) {
                    if (in.readEnum() == BundleADUFlags.BUNDLE_ADU_BPDU_VALUE) {
                        return true;
                    }
                }
            } catch (java.io.IOException e) {
                return false;
            }
        }
        for (Long v : packed.getVarintList()) {
            if (v == BundleADUFlags.BUNDLE_ADU_BPDU_VALUE) {
                return true;
            }
        }
        return false;
    }

    /**
     * The endpoint_id µD3TN registers for one of its endpoints: the full EID. µD3TN does not check its
     * node part, so the backend does: the endpoint must belong to the node µD3TN says it is.
     */
    static String agentId(EndpointId endpoint, EndpointId nodeId) throws BpException {
        if (endpoint instanceof IpnEndpointId ipn && nodeId instanceof IpnEndpointId node
                && ipn.fullyQualifiedNodeNumber() == node.fullyQualifiedNodeNumber() && ipn.service() != 0) {
            return ipn.toString();
        } else if (endpoint instanceof DtnEndpointId dtn && nodeId instanceof DtnEndpointId node && !dtn.isNull()
                && dtn.nodeName().equals(node.nodeName()) && !dtn.demux().isEmpty()) {
            return dtn.toString();
        }
        throw new BpException(BpError.ADDRESS_NOT_AVAILABLE,
                endpoint + " is not an endpoint of the µD3TN node " + nodeId + " this backend serves");
    }

    /** The full EID of a local endpoint, as µD3TN writes it in the source of what it sends. */
    static EndpointId localEndpoint(EndpointId endpoint, EndpointId nodeId) {
        if (endpoint instanceof IpnEndpointId ipn && ipn.isLocalNode() && nodeId instanceof IpnEndpointId node) {
            return node.withService(ipn.service());
        }
        return endpoint;
    }

    /**
     * A v0.13.0 configuration-agent command that adds (or, with {@code add} false, deletes) a contact:
     * {@code 1(<node>):(<cla>:<address>):[<reachable>]:[{start,end,rate}];}, times in DTN seconds.
     */
    static String contactCommand(boolean add, EndpointId peer, String claAddress, List<EndpointId> reachable,
            long startUnixSeconds, long endUnixSeconds, long bytesPerSecond) {
        if (!add) {
            return "3(" + peer + ");";
        }
        StringBuilder sb = new StringBuilder("1(").append(peer).append("):(").append(claAddress).append("):[");
        for (int i = 0; i < reachable.size(); i++) {
            sb.append(i == 0 ? "" : ",").append('(').append(reachable.get(i)).append(')');
        }
        long epoch = 946_684_800L;
        return sb.append("]:[{").append(startUnixSeconds - epoch).append(',').append(endUnixSeconds - epoch)
                .append(',').append(bytesPerSecond).append("}];").toString();
    }

    /** Where µD3TN's configuration agent listens on a node. */
    static EndpointId configAgent(EndpointId nodeId) {
        if (nodeId instanceof IpnEndpointId node) {
            return node.withService(9000);
        }
        return ((DtnEndpointId) nodeId).withDemux("config");
    }
}
