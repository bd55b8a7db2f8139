package org.bpsockets.shell.internal;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import org.bpsockets.api.bundle.BundleId;

/**
 * A record of bundles, one line each, appended to a file: "BUNDLE-ID LENGTH SHA-256". bp:send writes a
 * line once the node has accepted a bundle, bp:recv once it has received one; comparing the two files
 * tells what was lost, duplicated or changed on the way (the fault testbed does, and so can an
 * operator testing a link). Each line is flushed before the next bundle, so a crash loses at most the
 * line being written.
 */
final class BundleLog implements AutoCloseable {
    private final BufferedWriter out;
    private final MessageDigest sha256;

    private BundleLog(BufferedWriter out) throws NoSuchAlgorithmException {
        this.out = out;
        this.sha256 = MessageDigest.getInstance("SHA-256");
    }

    /** @throws IllegalArgumentException naming the file and why it cannot be appended to */
    static BundleLog open(String file) {
        try {
            return new BundleLog(Files.newBufferedWriter(Path.of(file), StandardCharsets.US_ASCII,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE));
        } catch (IOException | InvalidPathException | NoSuchAlgorithmException e) {
            throw new IllegalArgumentException("log file '" + file + "' cannot be written: " + e.getMessage());
        }
    }

    void record(BundleId id, ByteBuffer payload) throws IOException {
        sha256.reset();
        int length = payload.remaining();
        sha256.update(payload.duplicate());
        out.write(id + " " + length + " " + HexFormat.of().formatHex(sha256.digest()) + "\n");
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
