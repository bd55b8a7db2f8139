package org.bpsockets.node.api.routing;

import org.bpsockets.api.bundle.BundleId;

/** What the router asks of the node. */
public sealed interface RouterAction {

    /** Transmit a waiting bundle on a link that is up. */
    record Forward(BundleId bundle, String linkId) implements RouterAction {
    }

    /** Delete a bundle, reporting the RFC 9171 reason code (e.g. 6 no known route) if reports were asked. */
    record Delete(BundleId bundle, int reasonCode) implements RouterAction {
    }

    /** Open a configured link (on demand). */
    record OpenLink(String linkName) implements RouterAction {
    }

    /** Close a configured link. */
    record CloseLink(String linkName) implements RouterAction {
    }
}
