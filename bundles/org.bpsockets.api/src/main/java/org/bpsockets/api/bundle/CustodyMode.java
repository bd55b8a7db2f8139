package org.bpsockets.api.bundle;

/**
 * Custody transfer request. BPv7 has custody only through bundle-in-bundle encapsulation (BIBE);
 * ION maps these values to its custody switch.
 */
public enum CustodyMode {
    /** No custody transfer. */
    NONE,
    /** Custody if the path offers it. */
    OPTIONAL,
    /** Refuse to send if custody transfer cannot be had. */
    REQUIRED
}
