/**
 * What the embedded node counts, for observers (the metrics endpoint, JMX, the shell): the books of
 * the bundles it accepted and the traffic of each link. Read-only.
 */
@Export
@Version("1.1.0")
package org.bpsockets.node.api.stats;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
