package org.bpsockets.backend.embedded.internal.commands;

import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Argument;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Completion;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.apache.karaf.shell.api.action.lifecycle.Service;
import org.bpsockets.backend.embedded.internal.config.ConfiguredContact;
import org.bpsockets.node.api.routing.Contact;
import org.osgi.service.cm.ConfigurationAdmin;

/** The shell command bp:contact-del. */
@Command(scope = "bp", name = "contact-del", description = "Removes a scheduled contact.")
@Service
public class ContactDeleteCommand implements Action {
    @Reference
    ConfigurationAdmin admin;

    @Argument(index = 0, name = "name", required = true, description = "The contact's name")
    @Completion(Completers.Contacts.class)
    String name;

    @Override
    public Object execute() throws Exception {
        System.out.println(ConfigCommands.delete(admin, ConfiguredContact.PID, name)
                ? "Contact " + name + " removed" : "No contact named " + name);
        return null;
    }
}
