/** The backend SPI: what a carrier of bundles (embedded node, ION, uD3TN) implements. */
@Export
@Version("1.0.0")
package org.bpsockets.api.backend;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
