/** Socket options (SOL_BP) and the extensions that interpret them. */
@Export
@Version("1.1.0")
package org.bpsockets.api.option;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
