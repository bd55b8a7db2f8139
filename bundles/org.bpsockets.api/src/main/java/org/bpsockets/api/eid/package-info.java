/** Endpoint IDs of the ipn and dtn schemes: immutable values with strict parsing. */
@Export
@Version("1.0.0")
package org.bpsockets.api.eid;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
