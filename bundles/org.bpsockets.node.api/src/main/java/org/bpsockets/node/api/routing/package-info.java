/**
 * Routing: the policy of the embedded node. A {@link org.bpsockets.node.api.routing.Router} answers the
 * node's events with actions; everything else (storage, delivery, links, reports) is mechanism.
 */
@Export
@Version("1.2.0")
package org.bpsockets.node.api.routing;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
