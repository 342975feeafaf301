package io.podnet.ipam.cluster;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Calico's {@code BlockAffinity} value at {@code <prefix>/ipam/v2/host/<node>/ipv4/block/10.0.0.0-26}:
 * {@code {"state":"pending|confirmed|pendingDeletion","deleted":false}}. A claim writes {@code pending}, then creates
 * the block and confirms in one transaction; pending affinities count as absent for allocation.
 */
@JsonPropertyOrder({"state", "deleted"})
public record BlockAffinity(@JsonProperty("state") State state, @JsonProperty("deleted") boolean deleted) {
    /** The affinity's state. */
    public enum State {
        PENDING("pending"), CONFIRMED("confirmed"), PENDING_DELETION("pendingDeletion");

        private final String text;

        State(String text) { this.text = text; }

        @JsonValue
        public String text() { return text; }

        @JsonCreator
        public static State parse(String s) {
            for (State st : values()) if (st.text.equals(s)) return st;
            throw new IllegalArgumentException("unknown affinity state \"" + s + "\"");
        }
    }

    public static final BlockAffinity PENDING = new BlockAffinity(State.PENDING, false);
    public static final BlockAffinity CONFIRMED = new BlockAffinity(State.CONFIRMED, false);
}
