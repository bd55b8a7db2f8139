package org.bpsockets.node.api.store;

import java.nio.ByteBuffer;

/**
 * A recovered record.
 *
 * @param bundle the encoded bundle
 * @param state the node's state about it, as last written
 */
public record StoredBundle(ByteBuffer bundle, byte[] state) {
}
