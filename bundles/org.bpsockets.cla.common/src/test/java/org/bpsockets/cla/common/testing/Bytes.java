package org.bpsockets.cla.common.testing;

import java.util.SplittableRandom;

/** Test payloads that show where a byte went missing or moved. */
public final class Bytes {
    private Bytes() {
    }

    public static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < length; i++) {
            b[i] = (byte) r.nextInt(256);
        }
        return b;
    }

    public static byte[] hex(String hex) {
        String h = hex.replaceAll("\\s", "");
        byte[] b = new byte[h.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }
}
