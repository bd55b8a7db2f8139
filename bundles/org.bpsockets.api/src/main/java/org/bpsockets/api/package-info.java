/** Errors shared by every part of the API. */
@Export
@Version("1.0.0")
package org.bpsockets.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
