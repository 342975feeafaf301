package io.podnet.bgp.message;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The errors found in one UPDATE. Parsing continues after a non-fatal one; the most severe treatment wins
 * (RFC 7606 §3.h), a session reset stops parsing at once. Several AFI/SAFI-disable errors disable every family
 * they name; a treat-as-withdraw error besides an AFI/SAFI disable still withdraws the message's other prefixes.
 */
final class Problems {
    private MalformedMessageException worst;
    private Set<AfiSafi> disabled;
    private boolean withdraw;

    void add(MalformedMessageException e) throws MalformedMessageException {
        switch (e.handling()) {
            case SESSION_RESET -> throw e;
            case AFI_SAFI_DISABLE -> {
                if (disabled == null) disabled = new LinkedHashSet<>(2);
                disabled.addAll(e.families());
            }
            case TREAT_AS_WITHDRAW -> withdraw = true;
            case ATTRIBUTE_DISCARD -> { }
        }
        if (worst == null || e.handling().worseThan(worst.handling())) worst = e;
    }

    boolean any() { return worst != null; }

    MalformedMessageException worst() {
        return disabled == null ? worst : worst.withFamilies(disabled);
    }

    /** True if some problem asks for treat-as-withdraw (even when a stronger one wins). */
    boolean withdraw() { return withdraw; }
}
