/** The socket transport SPI: how a source of sockets (the kernel module, the shell, tests) reaches the registry. */
@Export
@Version("1.1.0")
package org.bpsockets.api.transport;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
