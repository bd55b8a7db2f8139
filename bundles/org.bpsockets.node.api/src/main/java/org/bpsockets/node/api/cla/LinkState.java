package org.bpsockets.node.api.cla;

/** The life of a link: connecting (or handshaking), up (bundles may flow), down (for good). */
public enum LinkState {
    CONNECTING,
    UP,
    DOWN
}
