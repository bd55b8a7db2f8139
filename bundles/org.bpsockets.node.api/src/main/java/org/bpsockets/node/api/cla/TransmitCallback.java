package org.bpsockets.node.api.cla;

import org.osgi.annotation.versioning.ConsumerType;

/** The outcome of one {@link Link#transmit}; exactly one method is called, on a layer thread. */
@ConsumerType
public interface TransmitCallback {

    void transmitted();

    /** @param reason what a person should know, e.g. "refused by peer: no resources" */
    void failed(String reason);
}
