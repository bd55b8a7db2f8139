package org.bpsockets.cla.tcpclv4.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/** TLS for TCPCLv4 (RFC 9174 §4.4): the context from the configured stores, and NODE-ID matching. */
final class Tls {
    /** id-on-bundleEID (RFC 9174 §4.4.2.1): the otherName form of a NODE-ID. */
    static final String BUNDLE_EID_OID = "1.3.6.1.5.5.7.8.11";
    private static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private Tls() {
    }

    static SSLContext context(Tcpclv4Config c) throws IOException, GeneralSecurityException {
        if (c.tlsKeyStore().isBlank()) {
            throw new GeneralSecurityException("tlsEnabled needs tlsKeyStore (this node's key and certificate)");
        }
        KeyStore keys = load(c.tlsKeyStore(), c.tlsKeyStoreType(), c.tlsKeyStorePassword());
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, c.tlsKeyStorePassword().toCharArray());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(c.tlsTrustStore().isBlank() ? null
                : load(c.tlsTrustStore(), c.tlsTrustStoreType(), c.tlsTrustStorePassword()));
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    private static KeyStore load(String path, String type, String password)
            throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance(type.isBlank() ? "PKCS12" : type);
        try (InputStream in = Files.newInputStream(Path.of(path))) {
            ks.load(in, password.toCharArray());
        }
        return ks;
    }

    /** Restricts a socket to TLS 1.3 and 1.2 (RFC 9174 requires 1.3-compatible ClientHellos). */
    static void protocols(SSLSocket s) {
        List<String> supported = Arrays.asList(s.getSupportedProtocols());
        s.setEnabledProtocols(PROTOCOLS.stream().filter(supported::contains).toArray(String[]::new));
    }

    /** The NODE-IDs a certificate authenticates: its subjectAltName otherNames of type BundleEID. */
    static List<String> nodeIds(X509Certificate cert) {
        List<String> ids = new ArrayList<>();
        Collection<List<?>> sans;
        try {
            sans = cert.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return ids;
        }
        if (sans == null) {
            return ids;
        }
        for (List<?> san : sans) {
            if (san.size() >= 2 && Integer.valueOf(0).equals(san.get(0)) && san.get(1) instanceof byte[] der) {
                String id = bundleEid(der);
                if (id != null) {
                    ids.add(id);
                }
            }
        }
        return ids;
    }

    /**
     * Decodes an OtherName {@code SEQUENCE { type-id OID, [0] EXPLICIT value }} whose type is
     * id-on-bundleEID and whose value is a string; anything else is null.
     */
    static String bundleEid(byte[] der) {
        try {
            int[] p = {0};
            int seqEnd = header(der, p, 0x30);
            int oidLen = header(der, p, 0x06) - p[0];
            String oid = oid(der, p[0], oidLen);
            p[0] += oidLen;
            if (!BUNDLE_EID_OID.equals(oid)) {
                return null;
            }
            header(der, p, 0xA0);
            int tag = der[p[0]] & 0xFF;
            if (tag != 0x16 && tag != 0x0C) {
                return null;
            }
            int end = header(der, p, tag);
            if (end > seqEnd) {
                return null;
            }
            return new String(der, p[0], end - p[0], tag == 0x16 ? StandardCharsets.US_ASCII : StandardCharsets.UTF_8);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Reads a tag and a definite length at p; returns the end of the content, p moves to its start. */
    private static int header(byte[] der, int[] p, int tag) {
        if ((der[p[0]++] & 0xFF) != tag) {
            throw new IllegalArgumentException("unexpected tag");
        }
        int len = der[p[0]++] & 0xFF;
        if (len >= 0x80) {
            int n = len & 0x7F;
            if (n == 0 || n > 3) {
                throw new IllegalArgumentException("bad length");
            }
            len = 0;
            for (int i = 0; i < n; i++) {
                len = (len << 8) | (der[p[0]++] & 0xFF);
            }
        }
        int end = p[0] + len;
        if (end > der.length) {
            throw new IllegalArgumentException("truncated");
        }
        return end;
    }

    private static String oid(byte[] der, int off, int len) {
        StringBuilder sb = new StringBuilder();
        long v = 0;
        boolean first = true;
        for (int i = off; i < off + len; i++) {
            v = (v << 7) | (der[i] & 0x7F);
            if ((der[i] & 0x80) == 0) {
                if (first) {
                    int a = (int) Math.min(2, v / 40);
                    sb.append(a).append('.').append(v - 40L * a);
                    first = false;
                } else {
                    sb.append('.').append(v);
                }
                v = 0;
            }
        }
        return sb.toString();
    }
}
