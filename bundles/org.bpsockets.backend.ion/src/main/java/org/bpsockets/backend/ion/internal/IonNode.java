package org.bpsockets.backend.ion.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.bpsockets.api.BpError;
import org.bpsockets.api.BpException;
import org.bpsockets.backend.ion.internal.Ion.BpAncillaryData;
import org.bpsockets.backend.ion.internal.Ion.BpDelivery;
import org.bpsockets.backend.ion.internal.Ion.ZcoReader;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;

/**
 * This process attached to an ION node, with ION's rules kept in one place: one attach per process,
 * detached last; every SDR transaction begun and ended within one method call, so on one thread and
 * never across a blocking call; a user error from bp_send destroys the ZCO it did not consume.
 */
final class IonNode implements AutoCloseable {

    /** ION allows one attachment per process: a second backend instance waits for the first to detach. */
    private static final AtomicBoolean ATTACHED = new AtomicBoolean();

    private final Ion.LibBp bp;
    private final Ion.LibIci ici;
    private final Pointer sdr;
    private final long nodeNumber;
    /** ionCreateZco blocks on it while ZCO space is exhausted: back-pressure, not an error. */
    private final Memory attendant = new Memory(4);
    private final boolean attendantStarted;
    private volatile boolean closed;

    private IonNode(Ion.LibBp bp, Ion.LibIci ici) {
        this.bp = bp;
        this.ici = ici;
        this.sdr = bp.bp_get_sdr();
        this.nodeNumber = ici.getOwnNodeNbr();
        attendant.clear();
        this.attendantStarted = ici.ionStartAttendant(attendant) == 0;
    }

    /**
     * Loads the libraries and attaches.
     *
     * @throws IllegalStateException with the reason, when the libraries are missing or ION is not running
     */
    static IonNode attach(IonConfig config) {
        if (!ATTACHED.compareAndSet(false, true)) {
            throw new IllegalStateException("this process is already attached to ION (one attachment per process)");
        }
        try {
            if (!config.nodeListDir().isBlank() || !config.nodeDirectory().isBlank()) {
                // ION reads these with getenv() when attaching; Java cannot set its own environment.
                Ion.LibC libc = Native.load("c", Ion.LibC.class);
                if (!config.nodeListDir().isBlank()) {
                    libc.setenv("ION_NODE_LIST_DIR", config.nodeListDir(), 1);
                }
                if (!config.nodeDirectory().isBlank()) {
                    libc.setenv("ION_NODE_WDNAME", config.nodeDirectory(), 1);
                }
            }
            Ion.LibIci ici;
            Ion.LibBp bp;
            try {
                ici = Native.load(config.iciLibrary(), Ion.LibIci.class, Ion.LOCAL_SYMBOLS);
                bp = Native.load(config.bpLibrary(), Ion.LibBp.class, Ion.LOCAL_SYMBOLS);
            } catch (UnsatisfiedLinkError e) {
                throw new IllegalStateException("ION's libraries cannot be loaded (bpLibrary " + config.bpLibrary()
                        + ", iciLibrary " + config.iciLibrary() + "): " + e.getMessage(), e);
            }
            if (bp.bp_attach() < 0) {
                throw new IllegalStateException("bp_attach failed: " + errors(ici, "is ION running?"));
            }
            return new IonNode(bp, ici);
        } catch (RuntimeException e) {
            ATTACHED.set(false);
            throw e;
        }
    }

    long nodeNumber() {
        return nodeNumber;
    }

    /** Every message ION has queued for this process, oldest first. */
    String errors(String fallback) {
        return errors(ici, fallback);
    }

    private static String errors(Ion.LibIci ici, String fallback) {
        List<String> messages = new ArrayList<>();
        byte[] buffer = new byte[4096];
        while (messages.size() < 16 && ici.getErrmsg(buffer) > 0) {
            messages.add(Native.toString(buffer, StandardCharsets.UTF_8.name()));
        }
        return messages.isEmpty() ? fallback : String.join("; ", messages);
    }

    /**
     * What bp_open or bp_open_source gave: the SAP, or what is known of why not. ION writes the reason
     * ("Endpoint not known.", "Endpoint is already open.") to ion.log (putErrmsg), not to the message
     * queue getErrmsg reads, so the cause is usually to be inferred.
     */
    record Opened(Pointer sap, String failure, boolean openHere) {
    }

    /**
     * Opens an endpoint for sending and (exclusively) receiving, or only for sending. ION opens only
     * endpoints it has been told about (bpadmin's {@code a endpoint}, or {@link #addEndpoint}).
     */
    Opened open(String eid, boolean receiving) {
        PointerByReference sap = new PointerByReference();
        int rc = receiving ? bp.bp_open(eid, sap) : bp.bp_open_source(eid, sap, 0);
        if (rc >= 0 && sap.getValue() != null) {
            return new Opened(sap.getValue(), null, false);
        }
        // bp_open answers 0 with no SAP when this process has the endpoint open already.
        if (rc >= 0) {
            return new Opened(null, "this process has it open already", true);
        }
        return new Opened(null, errors(null), false);
    }

    /**
     * Declares an endpoint with the {@code q} rule (bundles queue while no application has it open),
     * as bpadmin's {@code a endpoint EID q} does.
     *
     * @return true when added; false when ION refused (it says why only in ion.log, e.g. a duplicate)
     * @throws BpException ION failed, or this libbp has no addEndpoint
     */
    boolean addEndpoint(String eid) throws BpException {
        int rc;
        try {
            rc = bp.addEndpoint(eid, Ion.ENQUEUE_BUNDLE, null);
        } catch (UnsatisfiedLinkError e) {
            throw new BpException(BpError.ADDRESS_NOT_AVAILABLE, "this libbp has no addEndpoint: " + e.getMessage(), e);
        }
        if (rc < 0) {
            throw new BpException(BpError.ADDRESS_NOT_AVAILABLE, errors("addEndpoint failed; ION's reason is in ion.log"));
        }
        return rc > 0;
    }

    /** @return true when removed; false when ION refused (unknown, open, or bundles queued there: see ion.log) */
    boolean removeEndpoint(String eid) {
        try {
            int rc = bp.removeEndpoint(eid);
            if (rc < 0) {
                errors(null);
            }
            return rc > 0;
        } catch (UnsatisfiedLinkError e) {
            return false;
        }
    }

    void close(Pointer sap) {
        bp.bp_close(sap);
    }

    void interrupt(Pointer sap) {
        bp.bp_interrupt(sap);
    }

    /**
     * One ADU as one bundle. The payload goes into the SDR and becomes a ZCO (which may block while
     * ION's ZCO space is exhausted), then bp_send; a ZCO bp_send did not take is destroyed.
     *
     * @param sap the source's SAP, or null to send anonymously
     */
    void send(Pointer sap, String destination, String reportTo, int lifespanSeconds, int classOfService,
            int custodySwitch, int srrFlags, boolean ackRequested, BpAncillaryData ancillary, byte[] payload)
            throws BpException {
        long object = writeToSdr(payload);
        long zco = ici.ionCreateZco(Ion.ZCO_SDR_SOURCE, object, 0, payload.length, (byte) classOfService, (byte) 0,
                Ion.ZCO_OUTBOUND, attendantStarted ? attendant : null);
        if (zco == 0 || zco == -1) {
            String why = errors(zco == 0 ? "no ZCO space" : "ionCreateZco failed");
            transaction(() -> ici.Sdr_free(null, 0, sdr, object), "freeing an unused SDR object");
            throw new BpException(zco == 0 ? BpError.NO_BUFFER_SPACE : BpError.BACKEND_FAILURE,
                    "ION could not take the ADU: " + why);
        }
        int rc = bp.bp_send(sap, destination, reportTo, lifespanSeconds, classOfService, custodySwitch,
                (byte) srrFlags, ackRequested ? 1 : 0, ancillary, zco, null);
        if (rc == 1) {
            return;
        }
        String why = errors("bp_send returned " + rc);
        if (rc == 0) {
            transaction(() -> ici.zco_destroy(sdr, zco), "destroying a ZCO bp_send refused");
            throw new BpException(BpError.INVALID_ARGUMENT, "ION refused the bundle to " + destination + ": " + why);
        }
        throw new BpException(BpError.BACKEND_FAILURE, "ION failed to send to " + destination + ": " + why);
    }

    private long writeToSdr(byte[] payload) throws BpException {
        if (ici.sdr_begin_xn(sdr) == 0) {
            throw new BpException(BpError.BACKEND_FAILURE, "ION: cannot begin a transaction: " + errors("sdr_begin_xn"));
        }
        long object = ici.Sdr_malloc(null, 0, sdr, Math.max(1, payload.length));
        if (object == 0) {
            ici.sdr_cancel_xn(sdr);
            throw new BpException(BpError.NO_BUFFER_SPACE, "ION's SDR heap is full: " + errors("sdr_malloc"));
        }
        ici.Sdr_write(null, 0, sdr, object, payload, payload.length);
        if (ici.sdr_end_xn(sdr) < 0) {
            throw new BpException(BpError.BACKEND_FAILURE, "ION: writing the ADU failed: " + errors("sdr_end_xn"));
        }
        return object;
    }

    private void transaction(Runnable work, String what) throws BpException {
        if (ici.sdr_begin_xn(sdr) == 0) {
            throw new BpException(BpError.BACKEND_FAILURE, "ION: " + what + ": " + errors("sdr_begin_xn"));
        }
        work.run();
        if (ici.sdr_end_xn(sdr) < 0) {
            throw new BpException(BpError.BACKEND_FAILURE, "ION: " + what + ": " + errors("sdr_end_xn"));
        }
    }

    /** Blocks in bp_receive until a delivery, an interruption or the endpoint's stop. */
    int receive(Pointer sap, BpDelivery delivery) throws BpException {
        if (bp.bp_receive(sap, delivery, -1) < 0) {
            throw new BpException(BpError.BACKEND_FAILURE, "bp_receive failed: " + errors("bp_receive"));
        }
        return delivery.result;
    }

    /** The ADU of a delivery, read out of its ZCO (the delivery keeps the ZCO until released). */
    byte[] readAdu(BpDelivery delivery, long limit) throws BpException {
        long[] length = new long[1];
        transaction(() -> length[0] = ici.zco_source_data_length(sdr, delivery.adu), "measuring an ADU");
        if (length[0] > limit) {
            throw new BpException(BpError.MESSAGE_TOO_LONG,
                    "an ADU of " + length[0] + " bytes exceeds the ION backend's limit of " + limit);
        }
        if (length[0] == 0) {
            return new byte[0];
        }
        byte[] payload = new byte[(int) length[0]];
        ZcoReader reader = new ZcoReader();
        ici.zco_start_receiving(delivery.adu, reader);
        long[] got = new long[1];
        transaction(() -> got[0] = ici.zco_receive_source(sdr, reader, payload.length, payload), "reading an ADU");
        if (got[0] != payload.length) {
            throw new BpException(BpError.BACKEND_FAILURE, "ION gave " + got[0] + " of " + payload.length
                    + " ADU bytes: " + errors("zco_receive_source"));
        }
        return payload;
    }

    /** An acknowledgement may come after the backend detached: then there is nothing left to release. */
    synchronized void release(BpDelivery delivery) {
        if (!closed) {
            bp.bp_release_delivery(delivery, 1);
        }
    }

    /** Detaches the process; call once nothing uses the API any more. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (attendantStarted) {
            ici.ionPauseAttendant(attendant);
            ici.ionStopAttendant(attendant);
        }
        bp.bp_detach();
        ATTACHED.set(false);
    }
}
