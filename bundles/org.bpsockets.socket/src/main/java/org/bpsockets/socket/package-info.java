/** AF_BP sockets for Java applications: {@link org.bpsockets.socket.BpSocket}. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package org.bpsockets.socket;
