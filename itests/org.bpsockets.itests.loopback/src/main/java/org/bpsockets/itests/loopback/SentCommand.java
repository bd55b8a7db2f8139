package org.bpsockets.itests.loopback;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.bpsockets.api.bundle.SendRequest;
import org.bpsockets.api.eid.EndpointId;

/** Test fixture: prints the last bundles the loopback backend built, with their options. */
@Command(scope = "loopback", name = "sent", description = "The last sends the loopback backend accepted (test fixture).")
@Service
public class SentCommand implements Action {

    @Reference
    LoopbackBackend backend;

    @Argument(index = 0, name = "destination", description = "Destination EID", required = true)
    String destination;

    @Override
    public Object execute() {
        for (SendRequest r : backend.recentSends(EndpointId.parse(destination))) {
            System.out.println(r.source() + " -> " + r.destination() + " bytes=" + r.payload().remaining() + " "
                    + r.options());
        }
        return null;
    }
}
