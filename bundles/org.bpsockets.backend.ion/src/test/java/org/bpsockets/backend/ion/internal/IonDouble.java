package org.bpsockets.backend.ion.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import com.sun.jna.Library;
import com.sun.jna.Native;

/** The C test double of libbp/libici (src/test/c/ion_double.c). */
interface IonDouble extends Library {
    int double_violations();

    int double_live_zcos();

    int double_live_objects();

    int double_open_transactions();

    void double_fail_attach(int on);

    void double_no_zco_space(int times);

    void double_spurious_interrupts(int times);

    void double_send_user_error(int on);

    void double_set_node(long nbr);

    int double_sends();

    String double_last_dest();

    String double_last_report_to();

    void double_last_send(int[] out);

    int double_saps_open();

    void double_sizes(int[] out);

    void double_fail_add_endpoint(int on);

    /** As an operator's {@code a endpoint EID q}. */
    void double_declare(String eid);

    /** Another ION application has the endpoint open for receiving (1), or no longer (0). */
    void double_open_elsewhere(String eid, int on);

    int double_declared(String eid);

    /** Bundles queued in ION for the endpoint. */
    int double_queued(String eid);

    /** Declared by addEndpoint, removed by removeEndpoint, bundles abandoned for an undeclared local endpoint. */
    void double_endpoint_counts(int[] out);

    /** Every endpoint and what is queued there goes, as with a fresh ION node. */
    void double_reset_endpoints();

    /** Builds the double with its Makefile (again only when its source changed). */
    static Path build() throws IOException, InterruptedException {
        Path out = Path.of("target", "ion-double", "libion_double.so").toAbsolutePath();
        Files.createDirectories(out.getParent());
        Process make = new ProcessBuilder("make", "-s", "-C", Path.of("src", "test", "c").toString(), "OUT=" + out)
                .redirectErrorStream(true).start();
        String log = new String(make.getInputStream().readAllBytes());
        if (!make.waitFor(60, TimeUnit.SECONDS) || make.exitValue() != 0) {
            throw new IOException("the libbp test double did not build: " + log);
        }
        return out;
    }

    static IonDouble load(Path library) {
        return Native.load(library.toString(), IonDouble.class, Ion.LOCAL_SYMBOLS);
    }
}
