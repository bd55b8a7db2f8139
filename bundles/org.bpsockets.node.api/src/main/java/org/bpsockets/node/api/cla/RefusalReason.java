package org.bpsockets.node.api.cla;

/** Why the node refused a received bundle (mapped by each layer to its own refusal codes). */
public enum RefusalReason {
    /** The bytes are not a valid bundle. */
    MALFORMED,
    /** The node already has this bundle. */
    DUPLICATE,
    /** Larger than the node accepts. */
    TOO_LARGE,
    /** The node's storage is full; the peer may retry later. */
    NO_RESOURCES,
    /** Any other reason. */
    OTHER
}
