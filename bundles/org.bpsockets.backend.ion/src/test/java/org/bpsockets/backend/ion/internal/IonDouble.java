package org.bpsockets.backend.ion.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import com.sun.jna.Library;
import com.sun.jna.Native;

/** The C test double of libbp/libici (src/test/c/ion_double.c), compiled here with gcc. */
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

    /** Compiles the double once per build (-Bsymbolic: its calls stay inside it even when a real libici is
     * loaded in the same JVM); the backend loads the same file as libbp and libici. */
    static Path build() throws IOException, InterruptedException {
        Path out = Path.of("target", "ion-double", "libion_double.so").toAbsolutePath();
        Path source = Path.of("src", "test", "c", "ion_double.c").toAbsolutePath();
        if (!Files.exists(out) || Files.getLastModifiedTime(out).compareTo(Files.getLastModifiedTime(source)) < 0) {
            Files.createDirectories(out.getParent());
            Process cc = new ProcessBuilder("gcc", "-Wall", "-Werror", "-O1", "-shared", "-fPIC", "-Wl,-Bsymbolic", "-o", out.toString(),
                    source.toString(), "-lpthread").redirectErrorStream(true).start();
            String log = new String(cc.getInputStream().readAllBytes());
            if (!cc.waitFor(60, TimeUnit.SECONDS) || cc.exitValue() != 0) {
                throw new IOException("gcc could not build the libbp test double: " + log);
            }
        }
        return out;
    }

    static IonDouble load(Path library) {
        return Native.load(library.toString(), IonDouble.class, Ion.LOCAL_SYMBOLS);
    }
}
