package org.bpsockets.shell.internal;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.stream.Stream;

import org.bpsockets.api.bundle.BundleId;

/**
 * A record of bundles, one line each, appended to a file: "BUNDLE-ID LENGTH SHA-256" (and "# repeated
 * BUNDLE-ID" for a bundle received again, see below). bp:send writes a
 * line once the node has accepted a bundle, bp:recv once it has received one; comparing the two files
 * tells what was lost, duplicated or changed on the way (the fault testbed does, and so can an
 * operator testing a link). Each line is flushed before the next bundle, so a crash loses at most the
 * line being written. A bundle ID the file holds already is not written again: after a crash of the
 * node, a bundle delivered just before it can be delivered again (the node's delivery is at least once
 * across a crash: docs/decisions/0015), and an application that keeps what it received, as this log
 * does, is where such a repeat is recognised. bp:recv counts the repeats it skipped.
 */
final class BundleLog implements AutoCloseable {
    private final BufferedWriter out;
    private final MessageDigest sha256;
    /** The IDs the file holds already: a bundle is logged once, whatever a crash made the node repeat. */
    private final Set<String> logged;

    private BundleLog(BufferedWriter out, Set<String> logged) throws NoSuchAlgorithmException {
        this.out = out;
        this.logged = logged;
        this.sha256 = MessageDigest.getInstance("SHA-256");
    }

    /** @throws IllegalArgumentException naming the file and why it cannot be appended to */
    static BundleLog open(String file) {
        try {
            Path path = Path.of(file);
            Set<String> logged = new HashSet<>();
            if (Files.exists(path)) {
                try (Stream<String> lines = Files.lines(path, StandardCharsets.US_ASCII)) {
                    lines.filter(l -> !l.startsWith("#")).map(l -> l.split(" ", 2)[0]).filter(id -> !id.isEmpty())
                            .forEach(logged::add);
                }
            }
            return new BundleLog(Files.newBufferedWriter(path, StandardCharsets.US_ASCII, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, StandardOpenOption.WRITE), logged);
        } catch (IOException | InvalidPathException | NoSuchAlgorithmException | UncheckedIOException e) {
            throw new IllegalArgumentException("log file '" + file + "' cannot be written: " + e.getMessage());
        }
    }

    /**
     * Appends the bundle's line, unless the file has its ID already.
     *
     * @return whether it was new to the file
     */
    boolean record(BundleId id, ByteBuffer payload) throws IOException {
        if (!logged.add(id.toString())) {
            // Said in the file, as a comment line, so that whoever compares logs can count the repeats.
            out.write("# repeated " + id + "\n");
            out.flush();
            return false;
        }
        sha256.reset();
        int length = payload.remaining();
        sha256.update(payload.duplicate());
        out.write(id + " " + length + " " + HexFormat.of().formatHex(sha256.digest()) + "\n");
        out.flush();
        return true;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
