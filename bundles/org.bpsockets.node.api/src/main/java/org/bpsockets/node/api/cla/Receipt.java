package org.bpsockets.node.api.cla;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The node's verdict on a received bundle; the layer acknowledges or refuses the transfer to the peer
 * accordingly. Exactly one method is called, maybe later and on another thread: the node accepts only
 * once the bundle is stored, so a peer never drops a bundle the node could still lose.
 */
@ProviderType
public interface Receipt {

    void accepted();

    void refused(RefusalReason reason);
}
