package org.bpsockets.api.bundle;

/**
 * Priority of a bundle. BPv7 itself has no priority field: backends map it to what their node offers
 * (ION's class of service and its QoS extension block, the embedded node's queues).
 */
public enum ClassOfService {
    BULK,
    NORMAL,
    EXPEDITED
}
