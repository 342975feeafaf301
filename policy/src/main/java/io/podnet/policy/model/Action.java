package io.podnet.policy.model;

import java.util.Locale;

/**
 * A Calico rule's action. {@link #ALLOW} and {@link #DENY} end evaluation; {@link #LOG} logs and goes on to
 * the next rule; {@link #PASS} skips the remaining policies of the tier and goes to the endpoint's profile
 * (for Kubernetes pods: allow).
 */
public enum Action {
    ALLOW("Allow"), DENY("Deny"), LOG("Log"), PASS("Pass");

    private final String apiName;

    Action(String apiName) { this.apiName = apiName; }

    public String apiName() { return apiName; }

    /** Parses an action case-insensitively as calicoctl does ({@code Allow}, {@code allow}); null if unknown. */
    public static Action parse(String text) {
        if (text == null) return null;
        for (Action a : values()) if (a.apiName.toLowerCase(Locale.ROOT).equals(text.toLowerCase(Locale.ROOT))) return a;
        return null;
    }
}
