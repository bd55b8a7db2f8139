package org.bpsockets.cla.common;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

import org.bpsockets.cla.common.testing.Bytes;
import org.junit.jupiter.api.Test;

class BuffersTest {

    /** Hands out at most {@code step} bytes per read, as a slow socket would. */
    static InputStream trickle(byte[] data, int step) {
        return new FilterInputStream(new ByteArrayInputStream(data)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, step));
            }
        };
    }

    @Test
    void parsesFieldsSplitAcrossReads() throws IOException {
        byte[] data = Bytes.hex("01 0203 04050607 08090a0b0c0d0e0f 81 00 ff ff ff 7f");
        InBuf in = new InBuf(trickle(data, 1), 8);
        assertEquals(0x01, in.u8());
        assertEquals(0x0203, in.u16());
        assertEquals(0x04050607L, in.u32());
        assertEquals(0x08090a0b0c0d0e0fL, in.u64());
        assertEquals(128, in.sdnv());
        assertEquals((1L << 28) - 1, in.sdnv());
        assertFalse(in.awaitMessage());
    }

    @Test
    void readFullyTakesBufferedBytesThenTheStream() throws IOException {
        byte[] payload = Bytes.pattern(300_000, 7);
        byte[] data = new byte[payload.length + 1];
        data[0] = 42;
        System.arraycopy(payload, 0, data, 1, payload.length);
        InBuf in = new InBuf(trickle(data, 1000), 4096);
        assertEquals(42, in.u8());
        byte[] got = new byte[payload.length];
        in.readFully(got, 0, got.length);
        assertArrayEquals(payload, got);
    }

    @Test
    void skipDiscardsWithoutAllocating() throws IOException {
        byte[] data = new byte[100_001];
        data[100_000] = 9;
        InBuf in = new InBuf(trickle(data, 777), 1024);
        in.skip(100_000);
        assertEquals(9, in.u8());
    }

    @Test
    void needExactNeverReadsAhead() throws IOException {
        ByteArrayInputStream raw = new ByteArrayInputStream(Bytes.hex("6474 6e21 0401 aabb"));
        InBuf in = new InBuf(raw, 64);
        in.needExact(6);
        assertEquals(2, raw.available());
        assertEquals(6, in.buffered());
    }

    @Test
    void truncatedMessageIsEof() {
        InBuf in = new InBuf(new ByteArrayInputStream(Bytes.hex("0102")), 16);
        assertThrows(EOFException.class, in::u32);
    }

    @Test
    void overlongSdnvIsRejectedNotWrapped() {
        InBuf in = new InBuf(new ByteArrayInputStream(Bytes.hex("ff ff ff ff ff ff ff ff ff ff 01")), 16);
        ProtocolException e = assertThrows(ProtocolException.class, in::sdnv);
        assertEquals("bad-sdnv", e.kind());
    }

    @Test
    void sdnvRoundTrips() throws IOException {
        for (long v : new long[] {0, 1, 127, 128, 16383, 16384, 1L << 35, Long.MAX_VALUE}) {
            byte[] enc = Sdnv.encode(v);
            assertEquals(Sdnv.size(v), enc.length);
            assertEquals(v, new InBuf(new ByteArrayInputStream(enc), 4).sdnv(), "value " + v);
        }
        assertArrayEquals(Bytes.hex("8100"), Sdnv.encode(128));
    }

    @Test
    void outBufBatchesSmallWritesAndPassesLargeOnes() throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        int[] writes = {0};
        OutputStream counting = new OutputStream() {
            @Override
            public void write(int b) {
                sink.write(b);
                writes[0]++;
            }

            @Override
            public void write(byte[] b, int off, int len) {
                sink.write(b, off, len);
                writes[0]++;
            }
        };
        OutBuf out = new OutBuf(counting, 1024);
        for (int i = 0; i < 50; i++) {
            out.u8(1).u64(i);
        }
        assertEquals(0, writes[0]);
        byte[] big = Bytes.pattern(OutBuf.DIRECT_WRITE, 3);
        out.bytes(big, 0, big.length);
        out.flush();
        assertEquals(2, writes[0], "one write for the small messages, one for the large payload");
        byte[] all = sink.toByteArray();
        assertEquals(50 * 9 + big.length, all.length);
        assertEquals(49, all[50 * 9 - 1]);
    }

    @Test
    void transferFromDirectBufferIsCopiedWithoutMovingIt() throws IOException {
        ByteBuffer direct = ByteBuffer.allocateDirect(10);
        direct.put(Bytes.hex("00112233445566778899")).position(2).limit(8);
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        OutBuf out = new OutBuf(sink, 4);
        Transfer t = new Transfer(dummy(), new ByteBuffer[] {direct}, null);
        out.bytes(t, 1, 4);
        out.flush();
        assertArrayEquals(Bytes.hex("33445566"), sink.toByteArray());
        assertEquals(2, direct.position());
        assertEquals(8, direct.limit());
    }

    @Test
    void transferInPartsIsWrittenAsTheirConcatenationFromAnyOffset() throws IOException {
        byte[] big = Bytes.pattern(100_000, 3);
        ByteBuffer direct = ByteBuffer.allocateDirect(6);
        direct.put(Bytes.hex("a0a1a2a3a4a5")).position(1).limit(5);
        ByteBuffer[] parts = {ByteBuffer.wrap(Bytes.hex("0102030405")).position(2), ByteBuffer.wrap(big, 10, 99_980),
            ByteBuffer.allocate(0), direct, ByteBuffer.wrap(Bytes.hex("ff"))};
        ByteArrayOutputStream whole = new ByteArrayOutputStream();
        whole.write(Bytes.hex("030405"));
        whole.write(big, 10, 99_980);
        whole.write(Bytes.hex("a1a2a3a4ff"));
        byte[] expected = whole.toByteArray();
        Transfer t = new Transfer(dummy(), parts, null);
        assertEquals(expected.length, t.length());
        assertEquals(null, t.array(), "several parts have no one array");
        // Segments that start and end inside parts, across their borders, and cover the whole.
        int[][] ranges = {{0, expected.length}, {1, 2}, {2, 70_000}, {99_982, 3}, {99_981, 7}, {50_000, 49_985}};
        for (int[] r : ranges) {
            ByteArrayOutputStream sink = new ByteArrayOutputStream();
            OutBuf out = new OutBuf(sink, 64);
            out.bytes(t, r[0], r[1]);
            out.flush();
            assertArrayEquals(java.util.Arrays.copyOfRange(expected, r[0], r[0] + r[1]), sink.toByteArray(),
                    r[0] + "+" + r[1]);
            byte[] copied = new byte[r[1]];
            t.copy(r[0], copied, 0, r[1]);
            assertArrayEquals(java.util.Arrays.copyOfRange(expected, r[0], r[0] + r[1]), copied, r[0] + "+" + r[1]);
        }
        assertEquals(2, parts[0].position(), "no part moved");
        assertEquals(1, direct.position());
    }

    private static AbstractLink dummy() {
        return new AbstractLink(null, "x", "x", "x", true, 1, 1) {
            @Override
            protected boolean enqueue(Transfer t) {
                return true;
            }

            @Override
            public void close() {
            }
        };
    }

    @Test
    void addresses() throws IOException {
        InetSocketAddress a = Addresses.parse("127.0.0.1:4556");
        assertTrue(a.isUnresolved());
        assertEquals("127.0.0.1:4556", Addresses.format(Addresses.resolve(a)));
        assertEquals("[0:0:0:0:0:0:0:1]:4556", Addresses.format(Addresses.resolve(Addresses.parse("[::1]:4556"))));
        for (String bad : new String[] {"", "host", "host:", "host:0", "host:70000", "::1:4556", "[::1]4556", "h:x"}) {
            assertThrows(IOException.class, () -> Addresses.parse(bad), bad);
        }
    }
}
