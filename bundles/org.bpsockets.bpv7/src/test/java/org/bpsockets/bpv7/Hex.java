package org.bpsockets.bpv7;

import java.util.HexFormat;

/** Hex helpers for tests; whitespace in hex literals is ignored. */
final class Hex {
    private Hex() {
    }

    static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex.replaceAll("\\s+", ""));
    }

    static String of(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    static String of(java.nio.ByteBuffer b) {
        byte[] copy = new byte[b.remaining()];
        b.duplicate().get(copy);
        return of(copy);
    }
}
