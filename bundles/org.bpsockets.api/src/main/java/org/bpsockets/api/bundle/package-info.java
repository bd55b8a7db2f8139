/** What an application asks of a bundle (options, send requests) and what it receives. */
@Export
@Version("1.2.0")
package org.bpsockets.api.bundle;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
