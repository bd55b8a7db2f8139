/**
 * Bundle Protocol version 7 (RFC 9171) codec: decoding with exact block offsets and CRC checks,
 * encoding of new bundles, re-encoding of received bundles for forwarding, extension blocks,
 * administrative records, fragmentation and reassembly.
 *
 * <p>Entry points: {@link org.bpsockets.bpv7.BundleCodec#decode(byte[])},
 * {@link org.bpsockets.bpv7.BundleBuilder}, {@link org.bpsockets.bpv7.Bundle#edit()},
 * {@link org.bpsockets.bpv7.AdministrativeRecord}, {@link org.bpsockets.bpv7.Fragmentation},
 * {@link org.bpsockets.bpv7.Reassembler} and {@link org.bpsockets.bpv7.Cbor} for the MTCP framing.
 */
@Export
@Version("1.1.0")
package org.bpsockets.bpv7;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
