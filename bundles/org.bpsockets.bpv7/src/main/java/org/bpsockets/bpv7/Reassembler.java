package org.bpsockets.bpv7;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.bpsockets.api.eid.EndpointId;

/**
 * Collects fragments by (source, creation timestamp) and rebuilds the bundle once the fragments
 * cover {@code [0, total ADU length)} (RFC 9171 §5.9). Overlapping and repeated fragments are fine.
 *
 * <p>Memory is bounded: each ADU being reassembled reserves its total length (plus the extension
 * blocks of its first fragment) against {@code maxBufferedBytes}; a fragment of an ADU that does not
 * fit is refused with {@link Status#OVER_LIMIT}. The rebuilt bundle takes the primary block of the
 * fragments without the fragment fields and the extension blocks of the fragment at offset 0.
 * Not thread-safe.
 */
public final class Reassembler {

    /** What happened to an offered fragment. */
    public enum Status {
        /** Stored; the ADU is not complete yet. */
        INCOMPLETE,
        /** The ADU is complete: {@link Result#bundle()} is the whole bundle. */
        COMPLETE,
        /** Refused: reassembling its ADU would exceed the memory limit. */
        OVER_LIMIT,
        /** Refused: its total ADU length (or payload block) disagrees with earlier fragments of the same ADU. */
        INCONSISTENT,
    }

    /** Outcome of {@link #offer}; {@code bundle} is set only when complete. */
    public record Result(Status status, Bundle bundle) {
    }

    private record Key(EndpointId source, long creationTime, long sequence) {
    }

    private static final class Pending {
        final PrimaryBlock primary;
        final byte[] adu;
        final TreeMap<Long, Long> extents = new TreeMap<>();
        long covered;
        List<CanonicalBlock> firstBlocks;
        CanonicalBlock payloadTemplate;
        long reserved;

        Pending(PrimaryBlock primary, int total) {
            this.primary = primary;
            this.adu = new byte[total];
        }
    }

    private final long maxBufferedBytes;
    private final Map<Key, Pending> pending = new HashMap<>();
    private long buffered;

    public Reassembler(long maxBufferedBytes) {
        if (maxBufferedBytes < 0) {
            throw new IllegalArgumentException("negative limit");
        }
        this.maxBufferedBytes = maxBufferedBytes;
    }

    /** Bytes currently reserved by incomplete ADUs. */
    public long bufferedBytes() {
        return buffered;
    }

    /** Number of ADUs being reassembled. */
    public int pendingCount() {
        return pending.size();
    }

    /** Drops the fragments collected for this ADU (e.g. when its lifetime expired); true if there were any. */
    public boolean discard(EndpointId source, long creationTime, long sequence) {
        Pending p = pending.remove(new Key(source, creationTime, sequence));
        if (p != null) {
            buffered -= p.reserved;
        }
        return p != null;
    }

    /** Offers a bundle; a bundle that is not a fragment is returned at once as complete. */
    public Result offer(Bundle fragment) {
        PrimaryBlock fp = fragment.primary();
        if (!fp.isFragment()) {
            return new Result(Status.COMPLETE, fragment);
        }
        Key key = new Key(fp.source(), fp.creationTime(), fp.sequenceNumber());
        long total = fp.totalAduLength();
        Pending p = pending.get(key);
        if (p == null) {
            if (total > Integer.MAX_VALUE - 8 || total > maxBufferedBytes - buffered) {
                return new Result(Status.OVER_LIMIT, null);
            }
            p = new Pending(fp, (int) total);
            p.reserved = total;
            buffered += total;
            pending.put(key, p);
        } else if (p.adu.length != total) {
            return new Result(Status.INCONSISTENT, null);
        }
        CanonicalBlock payload = fragment.payloadBlock();
        if (p.payloadTemplate != null && (p.payloadTemplate.flags() != payload.flags()
                || p.payloadTemplate.crcType() != payload.crcType())) {
            return new Result(Status.INCONSISTENT, null);
        }
        long offset = fp.fragmentOffset();
        int len = payload.dataLength();
        if (offset == 0 && p.firstBlocks == null) {
            List<CanonicalBlock> all = fragment.blocks();
            List<CanonicalBlock> copies = new ArrayList<>(all.size() - 1);
            long size = 0;
            for (CanonicalBlock b : all.subList(0, all.size() - 1)) {
                copies.add(b.detached());
                size += b.encodedLength();
            }
            if (size > maxBufferedBytes - buffered) {
                return new Result(Status.OVER_LIMIT, null);
            }
            p.reserved += size;
            buffered += size;
            p.firstBlocks = copies;
        }
        p.payloadTemplate = payload;
        System.arraycopy(payload.dataArray(), payload.dataOffset(), p.adu, (int) offset, len);
        addExtent(p, offset, offset + len);
        if (p.covered < total || p.firstBlocks == null) {
            return new Result(Status.INCOMPLETE, null);
        }
        pending.remove(key);
        buffered -= p.reserved;
        List<CanonicalBlock> blocks = new ArrayList<>(p.firstBlocks);
        blocks.add(CanonicalBlock.of(BlockType.PAYLOAD, 1, payload.flags(), payload.crcType(), p.adu));
        PrimaryBlock whole = p.primary.withFragmentFields(p.primary.flags() & ~BundleFlags.FRAGMENT, -1, -1);
        try {
            return new Result(Status.COMPLETE, Bundle.validated(whole, blocks, Integer.MAX_VALUE));
        } catch (MalformedBundleException e) {
            return new Result(Status.INCONSISTENT, null);
        }
    }

    /** Merges [start, end) into the covered extents and updates the covered byte count. */
    private static void addExtent(Pending p, long start, long end) {
        if (start >= end) {
            return;
        }
        Map.Entry<Long, Long> before = p.extents.floorEntry(start);
        if (before != null && before.getValue() >= start) {
            if (before.getValue() >= end) {
                return;
            }
            start = before.getKey();
            p.covered -= before.getValue() - before.getKey();
            end = Math.max(end, before.getValue());
            p.extents.remove(before.getKey());
        }
        Map.Entry<Long, Long> next = p.extents.ceilingEntry(start);
        while (next != null && next.getKey() <= end) {
            p.covered -= next.getValue() - next.getKey();
            end = Math.max(end, next.getValue());
            p.extents.remove(next.getKey());
            next = p.extents.ceilingEntry(start);
        }
        p.extents.put(start, end);
        p.covered += end - start;
    }
}
