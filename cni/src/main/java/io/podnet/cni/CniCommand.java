package io.podnet.cni;

import java.util.Optional;

/** The CNI commands ({@code CNI_COMMAND}); SPEC.md lists ADD, DEL, CHECK, GC, VERSION and specifies STATUS separately. */
public enum CniCommand {
    ADD, DEL, CHECK, STATUS, GC, VERSION;

    /** The command named exactly (upper case, as the runtime sends it). */
    public static Optional<CniCommand> of(String name) {
        for (CniCommand c : values()) {
            if (c.name().equals(name)) return Optional.of(c);
        }
        return Optional.empty();
    }

    /** Whether the command acts on one attachment (container id + interface). */
    public boolean perAttachment() {
        return this == ADD || this == DEL || this == CHECK;
    }
}
