package io.podnet.policy.model;

/** Which traffic a policy (or a set of rules) governs: into the selected endpoint, or out of it. */
public enum Direction {
    INGRESS("Ingress"), EGRESS("Egress");

    private final String apiName;

    Direction(String apiName) { this.apiName = apiName; }

    /** The spelling in {@code policyTypes} / {@code types}. */
    public String apiName() { return apiName; }

    /** The direction spelled {@code text} exactly as the APIs do ({@code Ingress}, {@code Egress}), or null. */
    public static Direction ofApiName(String text) {
        for (Direction d : values()) if (d.apiName.equals(text)) return d;
        return null;
    }
}
