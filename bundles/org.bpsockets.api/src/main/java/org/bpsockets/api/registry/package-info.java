/** Read access to the socket-state registry and local (in-JVM) sockets, for shells and tools. */
@Export
@Version("2.0.0")
package org.bpsockets.api.registry;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
