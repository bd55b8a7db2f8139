/** Bundle storage of the embedded node: what survives a crash of the node. */
@Export
@Version("1.1.0")
package org.bpsockets.node.api.store;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
