package org.bpsockets.bpv7;

import java.util.Objects;

/**
 * Input that is not a valid BPv7 bundle (or administrative record, or extension block). Every
 * decoding failure is reported as this exception; {@link #reason()} is meant for counters, the
 * message for logs.
 */
public final class MalformedBundleException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why the input was rejected. */
    public enum Reason {
        /** The input ends inside an item, or a length prefix is larger than what remains. */
        TRUNCATED,
        /** Not well-formed CBOR: reserved additional information, misplaced break, indefinite string, nesting too deep. */
        BAD_CBOR,
        /** A CBOR item of the wrong major type (e.g. a text string where an unsigned integer belongs). */
        WRONG_TYPE,
        /** An array with a number of elements the specification does not allow. */
        WRONG_ARRAY_LENGTH,
        /** A number that is larger than its field allows. */
        VALUE_OUT_OF_RANGE,
        /** The primary block's version is not 7. */
        UNSUPPORTED_VERSION,
        /** An endpoint ID that does not follow RFC 9171 / RFC 9758. */
        BAD_EID,
        /** An endpoint ID of a scheme other than dtn (1) and ipn (2). */
        UNKNOWN_EID_SCHEME,
        /** A dtn endpoint ID longer than {@link DecodeLimits#maxEidLength()}. */
        EID_TOO_LONG,
        /** A CRC type other than 0, 1 and 2. */
        UNKNOWN_CRC_TYPE,
        /** A CRC that is not a byte string of 2 (CRC-16) or 4 (CRC-32C) bytes. */
        BAD_CRC_FIELD,
        /** The CRC carried by a block differs from the one computed. */
        CRC_MISMATCH,
        /** The primary block has CRC type 0 and no Block Integrity Block covers it. */
        PRIMARY_CRC_MISSING,
        /** No payload block. */
        MISSING_PAYLOAD,
        /** More than one payload block. */
        DUPLICATE_PAYLOAD,
        /** A block after the payload block. */
        PAYLOAD_NOT_LAST,
        /** Block number 0, a payload block not numbered 1, or another block numbered 1. */
        BAD_BLOCK_NUMBER,
        /** Two canonical blocks with the same block number. */
        DUPLICATE_BLOCK_NUMBER,
        /** More than one Previous Node, Bundle Age or Hop Count block. */
        DUPLICATE_EXTENSION_BLOCK,
        /** The data of a Previous Node, Bundle Age, Hop Count or BPSec block does not decode. */
        BAD_BLOCK_DATA,
        /** Creation time 0 (no clock) without a Bundle Age block. */
        MISSING_BUNDLE_AGE,
        /**
         * Flags that contradict each other or the bundle: an administrative record or an anonymous
         * bundle asking for status reports, an anonymous bundle that may be fragmented.
         */
        INCONSISTENT_FLAGS,
        /** Fragment offset and total ADU length present without the fragment flag, or the reverse. */
        FRAGMENT_FIELDS_MISMATCH,
        /** Fragment offset plus payload length beyond the total ADU length. */
        FRAGMENT_OUT_OF_RANGE,
        /** The bundle is larger than {@link DecodeLimits#maxBundleBytes()}. */
        BUNDLE_TOO_LARGE,
        /** More canonical blocks than {@link DecodeLimits#maxBlocks()}. */
        TOO_MANY_BLOCKS,
        /** Bytes after the end of the bundle (or of a block's data item). */
        TRAILING_BYTES,
    }

    private final Reason reason;
    private final long offset;

    /**
     * @param reason why
     * @param offset byte offset in the input where the problem was found, or -1
     * @param detail what was found, for the message
     */
    public MalformedBundleException(Reason reason, long offset, String detail) {
        super(reason + (offset >= 0 ? " at offset " + offset : "") + ": " + detail);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.offset = offset;
    }

    public Reason reason() {
        return reason;
    }

    /** Offset in the decoded input where the problem was detected, or -1 when not tied to a position. */
    public long offset() {
        return offset;
    }
}
