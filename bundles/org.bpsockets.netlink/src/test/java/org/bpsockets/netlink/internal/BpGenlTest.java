package org.bpsockets.netlink.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.bpsockets.api.option.SocketOptionNames;
import org.junit.jupiter.api.Test;

/** The Java mirror of the protocol is checked against the kernel's public header and the protocol document. */
class BpGenlTest {

    static Map<String, Long> headerConstants() throws IOException {
        String header = Files.readString(Path.of(System.getProperty("bp.header")));
        Map<String, Long> values = new HashMap<>();
        Matcher define = Pattern.compile("(?m)^#define\\s+(\\w+)\\s+(0x[0-9a-fA-F]+|\\d+)U?\\b").matcher(header);
        while (define.find()) {
            values.put(define.group(1), Long.decode(define.group(2)));
        }
        Matcher enumBody = Pattern.compile("enum\\s+\\w+\\s*\\{([^}]*)\\}").matcher(header);
        while (enumBody.find()) {
            long next = 0;
            String body = enumBody.group(1).replaceAll("(?s)/\\*.*?\\*/", "");
            for (String line : body.split(",")) {
                String item = line.trim();
                if (item.isEmpty()) {
                    continue;
                }
                String[] parts = item.split("=");
                String name = parts[0].trim();
                long value = parts.length > 1 ? Long.decode(parts[1].trim()) : next;
                values.put(name, value);
                next = value + 1;
            }
        }
        return values;
    }

    @Test
    void everyProtocolConstantMatchesTheHeader() throws Exception {
        Map<String, Long> header = headerConstants();
        int checked = 0;
        for (Field f : BpGenl.class.getDeclaredFields()) {
            if (!Modifier.isStatic(f.getModifiers()) || f.getType() != int.class || f.getName().equals("PAYLOAD_CHUNK")) {
                continue;
            }
            String name = f.getName().equals("FAMILY_VERSION") ? "BP_GENL_VERSION" : "BP_" + f.getName();
            f.setAccessible(true);
            Long expected = header.get(name);
            assertNotNull(expected, name + " is in bp.h");
            assertEquals(expected.longValue(), f.getInt(null), name);
            checked++;
        }
        assertTrue(checked > 40, "checked " + checked);
    }

    @Test
    void everyCommandAndAttributeOfTheHeaderIsKnownToTheBridge() throws Exception {
        for (String name : headerConstants().keySet()) {
            if (name.matches("BP_(CMD|A|EID_A|OPT_A)_\\w+") && !name.matches(".*(_UNSPEC|_MAX|__\\w+)")) {
                String java = name.substring(3);
                BpGenl.class.getDeclaredField(java);
            }
        }
    }

    @Test
    void socketOptionNamesOfTheApiMatchTheHeader() throws Exception {
        Map<String, Long> header = headerConstants();
        for (Field f : SocketOptionNames.class.getFields()) {
            assertEquals(header.get(f.getName()).longValue(), f.getInt(null), f.getName());
        }
        String text = Files.readString(Path.of(System.getProperty("bp.header")));
        assertTrue(text.matches("(?s).*#define\\s+BP_GENL_NAME\\s+\"" + BpGenl.FAMILY_NAME + "\".*"));
    }

    @Test
    void everyCommandOfTheProtocolDocumentExists() throws Exception {
        String whole = Files.readString(Path.of(System.getProperty("bp.protocol.doc")));
        String doc = whole.substring(whole.indexOf("## Messages"), whole.indexOf("### Nested attributes"));
        Matcher row = Pattern.compile("(?m)^\\| `([A-Z_]+)` \\|").matcher(doc);
        int commands = 0;
        while (row.find()) {
            BpGenl.class.getDeclaredField("CMD_" + row.group(1));
            commands++;
        }
        assertEquals(13, commands, "every command of the document's two tables");
        assertTrue(whole.contains("**`" + BpGenl.FAMILY_NAME + "`**, version " + BpGenl.FAMILY_VERSION));
    }
}
