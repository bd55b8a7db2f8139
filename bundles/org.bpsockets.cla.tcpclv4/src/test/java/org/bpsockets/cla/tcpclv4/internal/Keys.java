package org.bpsockets.cla.tcpclv4.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Test keystores made at run time with the JDK's keytool: nothing secret is committed. */
final class Keys {
    static final String PASSWORD = "test-only";

    private Keys() {
    }

    /** A PKCS12 keystore with one EC key pair and self-signed certificate. */
    static Path keyStore(Path dir, String name) throws IOException, InterruptedException {
        Path ks = dir.resolve(name + ".p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(List.of(keytool, "-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname",
                "secp256r1", "-dname", "CN=" + name, "-validity", "2", "-ext", "san=ip:127.0.0.1", "-keystore",
                ks.toString(), "-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD, "-noprompt"))
                .redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool failed: " + new String(output));
        }
        return ks;
    }

    /** A truststore holding the certificates of the given keystores. */
    static Path trustStore(Path dir, Path... keyStores) throws IOException, GeneralSecurityException {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        for (Path k : keyStores) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(k)) {
                ks.load(in, PASSWORD.toCharArray());
            }
            String alias = ks.aliases().nextElement();
            trust.setCertificateEntry(alias, ks.getCertificate(alias));
        }
        Path out = dir.resolve("trust-" + keyStores.length + "-" + System.nanoTime() + ".p12");
        try (OutputStream o = Files.newOutputStream(out)) {
            trust.store(o, PASSWORD.toCharArray());
        }
        return out;
    }
}
