package org.bpsockets.backend.embedded.internal.commands;

import java.util.Set;
import java.util.stream.Collectors;

import org.bpsockets.api.eid.EndpointId;
import org.bpsockets.backend.embedded.internal.NodeAccess;

/** What the node's commands share: refusing bad input with one clear line, and listing refused files. */
final class CommandSupport {
    private CommandSupport() {
    }

    interface Body {
        void run() throws Exception;
    }

    /**
     * Runs a command's body; a refusal of its input (IllegalArgumentException, naming what is valid)
     * or any other failure is the command's failure, and nothing is changed. Karaf prints it as "Error
     * executing command: ..." and bin/client exits 1, in batch mode too, where a command's own
     * System.err output is lost.
     */
    static Object refusing(Body body) {
        try {
            body.run();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e.toString(), e);
        }
        return null;
    }

    static EndpointId eid(String what, String text) {
        try {
            return EndpointId.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " '" + text + "' is not an EID (ipn:N.S, ipn:!.S or "
                    + "dtn://node/demux): " + e.getMessage(), e);
        }
    }

    /** The names of the configured links. */
    static Set<String> linkNames(NodeAccess node) {
        return node.links().stream().map(l -> l.name()).filter(n -> !n.startsWith("(")).collect(Collectors.toSet());
    }

    /** Prints the configurations of that factory the node refused, with the reason. */
    static void printRefused(NodeAccess node, String pid) {
        for (String p : node.refusedConfigurations()) {
            if (p.startsWith(pid + "~")) {
                System.out.println("Refused: " + p);
            }
        }
    }
}
