package org.bpsockets.backend.ion.internal;

import java.util.List;
import java.util.Map;

import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.ptr.PointerByReference;

/**
 * ION 4.1.3's libbp and libici as JNA sees them (shared/ref/ion-libbp.md). Where the C API is a
 * macro, the exported symbol behind it is bound (Sdr_malloc for sdr_malloc, ...). Types on x86_64:
 * Object and Address are 8-byte unsigned longs (Java long), Sdr and BpSAP opaque pointers.
 */
final class Ion {
    private Ion() {
    }

    interface LibBp extends Library {
        int bp_attach();

        void bp_detach();

        Pointer bp_get_sdr();

        int bp_open(String eid, PointerByReference sap);

        int bp_open_source(String eid, PointerByReference sap, int detain);

        /** @return 1 accepted (the ZCO belongs to the bundle), 0 user error (the ZCO is still ours), -1 system error */
        int bp_send(Pointer sap, String destEid, String reportToEid, int lifespanSeconds, int classOfService,
                int custodySwitch, byte srrFlags, int ackRequested, BpAncillaryData ancillary, long adu,
                Pointer newBundle);

        int bp_receive(Pointer sap, BpDelivery delivery, int timeoutSeconds);

        void bp_interrupt(Pointer sap);

        void bp_release_delivery(BpDelivery delivery, int releaseAdu);

        void bp_close(Pointer sap);

        /**
         * bpP.h's addEndpoint, what bpadmin's {@code a endpoint} calls (exported by libbp, runs its own
         * transactions). {@code recvRule} 1 is EnqueueBundle, the {@code q} rule.
         *
         * @return 1 added; 0 refused, with the reason only in ion.log (duplicate, malformed); -1 system error
         */
        int addEndpoint(String eid, int recvRule, String script);

        /** @return 1 removed; 0 refused (unknown, open, bundles queued: the reason only in ion.log); -1 error */
        int removeEndpoint(String eid);
    }

    interface LibIci extends Library {
        /** 1 on success, 0 on failure. */
        int sdr_begin_xn(Pointer sdr);

        /** 0 ok, -1 error; commits. */
        int sdr_end_xn(Pointer sdr);

        void sdr_exit_xn(Pointer sdr);

        void sdr_cancel_xn(Pointer sdr);

        long Sdr_malloc(String file, int line, Pointer sdr, long size);

        void Sdr_write(String file, int line, Pointer sdr, long into, byte[] from, long size);

        void Sdr_free(String file, int line, Pointer sdr, long object);

        /** @return the ZCO; 0 no space (or interrupted); -1 error */
        long ionCreateZco(int medium, long location, long offset, long length, byte coarsePriority,
                byte finePriority, int acct, Pointer attendant);

        long zco_source_data_length(Pointer sdr, long zco);

        void zco_start_receiving(long zco, ZcoReader reader);

        long zco_receive_source(Pointer sdr, ZcoReader reader, long length, byte[] buffer);

        void zco_destroy(Pointer sdr, long zco);

        /** Pops one ION error message into a buffer of at least 4096 bytes; 0 when there is none. */
        int getErrmsg(byte[] buffer);

        long getOwnNodeNbr();

        int ionStartAttendant(Pointer attendant);

        void ionPauseAttendant(Pointer attendant);

        void ionStopAttendant(Pointer attendant);
    }

    interface LibC extends Library {
        int setenv(String name, String value, int overwrite);
    }

    /**
     * dlopen flags for ION's libraries: RTLD_LAZY without RTLD_GLOBAL (JNA's default adds it), so
     * their symbols do not enter the process's global namespace, where they could bind, or be bound
     * by, another library of the same names in this JVM.
     */
    static final Map<String, Object> LOCAL_SYMBOLS = Map.of(Library.OPTION_OPEN_FLAGS, 1);

    static final int ENQUEUE_BUNDLE = 1;

    static final int ZCO_SDR_SOURCE = 4;
    static final int ZCO_OUTBOUND = 1;

    static final int DELIVERY_PAYLOAD = 1;
    static final int DELIVERY_TIMED_OUT = 2;
    static final int DELIVERY_INTERRUPTED = 3;
    static final int DELIVERY_ENDPOINT_STOPPED = 4;

    /** BpTimestamp (16 bytes): ms since 2000-01-01 UTC and a count. */
    public static class BpTimestamp extends Structure {
        public long msec;
        public int count;

        @Override
        protected List<String> getFieldOrder() {
            return List.of("msec", "count");
        }
    }

    /** BpDelivery (88 bytes). */
    public static class BpDelivery extends Structure {
        public int result;
        public Pointer bundleSourceEid;
        public BpTimestamp bundleCreationTime;
        /** Milliseconds. */
        public int timeToLive;
        /** The raw flag bit: 0x20 when set. */
        public int ackRequested;
        /** The raw flag bit: 0x2 when set. */
        public int adminRecord;
        public long adu;
        public byte metadataType;
        public byte metadataLen;
        public byte[] metadata = new byte[30];

        int offsetOf(String field) {
            return fieldOffset(field);
        }

        @Override
        protected List<String> getFieldOrder() {
            return List.of("result", "bundleSourceEid", "bundleCreationTime", "timeToLive", "ackRequested",
                    "adminRecord", "adu", "metadataType", "metadataLen", "metadata");
        }
    }

    /** ZcoReader (48 bytes). */
    public static class ZcoReader extends Structure {
        public long zco;
        public int trackFileOffset;
        public long headerLengthCopied;
        public long sourceLengthCopied;
        public long trailerLengthCopied;
        public long lengthCopied;

        @Override
        protected List<String> getFieldOrder() {
            return List.of("zco", "trackFileOffset", "headerLengthCopied", "sourceLengthCopied",
                    "trailerLengthCopied", "lengthCopied");
        }
    }

    /** BpAncillaryData (64 bytes). */
    public static class BpAncillaryData extends Structure {
        static final byte CUSTODY_REQUESTED = 64;

        public int dataLabel;
        public byte flags;
        public byte ordinal;
        public byte metadataType;
        public byte metadataLen;
        public byte[] metadata = new byte[30];
        public Pointer extensions;
        public int extensionsCt;
        public int imcRegionNbr;
        public byte doNotFragment;

        int offsetOf(String field) {
            return fieldOffset(field);
        }

        @Override
        protected List<String> getFieldOrder() {
            return List.of("dataLabel", "flags", "ordinal", "metadataType", "metadataLen", "metadata",
                    "extensions", "extensionsCt", "imcRegionNbr", "doNotFragment");
        }
    }
}
