package io.podnet.policy.nft;

import java.util.Objects;

/** What a rule does when it matches; {@link Continue} (no verdict) lets evaluation go on, as after a log statement. */
public sealed interface Verdict {
    Verdict ACCEPT = new Accept();
    Verdict DROP = new Drop();
    Verdict RETURN = new Return();
    Verdict CONTINUE = new Continue();

    /** The verdict as nft writes it, empty for {@link Continue}. */
    String text();

    /** The chain this verdict branches to, or null. */
    default String target() { return null; }

    record Accept() implements Verdict { @Override public String text() { return "accept"; } }

    record Drop() implements Verdict { @Override public String text() { return "drop"; } }

    record Return() implements Verdict { @Override public String text() { return "return"; } }

    record Continue() implements Verdict { @Override public String text() { return ""; } }

    /** {@code jump chain}: evaluate it, and come back unless it decides. */
    record Jump(String chain) implements Verdict {
        public Jump { Objects.requireNonNull(chain, "chain"); }
        @Override public String text() { return "jump " + chain; }
        @Override public String target() { return chain; }
    }

    /** {@code goto chain}: evaluate it instead of the rest of this chain. */
    record Goto(String chain) implements Verdict {
        public Goto { Objects.requireNonNull(chain, "chain"); }
        @Override public String text() { return "goto " + chain; }
        @Override public String target() { return chain; }
    }
}
