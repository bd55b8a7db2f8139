/**
 * Convergence layers: how the embedded node exchanges bundles with other nodes. A convergence layer
 * bundle publishes a {@link org.bpsockets.node.api.cla.ConvergenceLayer} service and uses the node's
 * {@link org.bpsockets.node.api.cla.ClaContext} service to report links and received bundles.
 */
@Export
@Version("1.2.0")
package org.bpsockets.node.api.cla;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
