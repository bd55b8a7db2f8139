package org.bpsockets.cla.common;

import org.bpsockets.node.api.cla.Receipt;
import org.bpsockets.node.api.cla.RefusalReason;

/**
 * A received bundle's receipt, or a message about one (an intermediate acknowledgement, an immediate
 * refusal), waiting in the session's verdict queue. Acknowledgements and refusals leave in the order
 * the bundles arrived, as both TCPCL versions require before a refusal, whatever order the node
 * decides them in.
 */
public abstract class Incoming implements Receipt {
    static final int PENDING = 0;
    static final int ACCEPTED = 1;
    static final int REFUSED = 2;

    StreamSession session;
    final long heldBytes;
    int state;
    RefusalReason reason;

    /** A receipt for a bundle of {@code length} bytes that the node still holds. */
    protected Incoming(long length) {
        this.heldBytes = length;
    }

    /** A message that is already decided (no node verdict to wait for). */
    protected Incoming(boolean refused, RefusalReason reason) {
        this.heldBytes = -1;
        this.state = refused ? REFUSED : ACCEPTED;
        this.reason = reason;
    }

    @Override
    public final void accepted() {
        StreamSession s = session;
        if (s != null) {
            s.resolve(this, null);
        }
    }

    @Override
    public final void refused(RefusalReason why) {
        StreamSession s = session;
        if (s != null) {
            s.resolve(this, why == null ? RefusalReason.OTHER : why);
        }
    }

    /** Writes what the peer is told: an acknowledgement if {@code refusal} is null, else a refusal. */
    protected abstract void emit(CtrlBuf ctrl, RefusalReason refusal);

    /**
     * Merges a later decided message into this one when it makes this one redundant (a cumulative
     * acknowledgement of the same bundle); only asked of the queue's tail.
     */
    protected boolean absorb(Incoming next) {
        return false;
    }

    boolean counted() {
        return heldBytes >= 0;
    }
}
