package io.podnet.calico;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import io.podnet.net.IpFamily;
import io.podnet.net.IpPrefix;
import io.podnet.selector.Selector;
import io.podnet.selector.SelectorException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Calico's {@code IPPool} ({@code api/pkg/apis/projectcalico/v3/ippool.go}): a range addresses are allocated from,
 * cut into blocks of {@code blockSize}. Key {@code ippools/<name>}.
 */
public record IpPool(ObjectMeta metadata, Spec spec) implements Resource {
    public static final IpPrefix LINK_LOCAL_V4 = IpPrefix.parse("169.254.0.0/16");
    public static final IpPrefix LINK_LOCAL_V6 = IpPrefix.parse("fe80::/10");
    public static final int DEFAULT_BLOCK_V4 = 26;
    public static final int DEFAULT_BLOCK_V6 = 122;
    private static final Set<String> USES = Set.of("Workload", "Tunnel", "LoadBalancer");

    public static final Kind<IpPool> KIND = new Kind<>("IPPool", "ippools", false, Spec.class,
            (m, s) -> new IpPool(m, (Spec) s), List.of("ippool", "pool", "pools", "ipp"), IpPool::crossCheck);

    /** {@code ipipMode} / {@code vxlanMode}. */
    public enum EncapMode {
        NEVER("Never"), ALWAYS("Always"), CROSS_SUBNET("CrossSubnet");

        private final String text;

        EncapMode(String text) { this.text = text; }

        @JsonValue
        public String text() { return text; }

        @JsonCreator
        public static EncapMode parse(String s) {
            for (EncapMode m : values()) if (m.text.equals(s)) return m;
            throw new IllegalArgumentException("\"" + s + "\" is not one of Never, Always, CrossSubnet");
        }
    }

    /** {@code assignmentMode}: Manual pools are used only for explicitly requested addresses or pools. */
    public enum AssignmentMode {
        AUTOMATIC("Automatic"), MANUAL("Manual");

        private final String text;

        AssignmentMode(String text) { this.text = text; }

        @JsonValue
        public String text() { return text; }

        @JsonCreator
        public static AssignmentMode parse(String s) {
            for (AssignmentMode m : values()) if (m.text.equals(s)) return m;
            throw new IllegalArgumentException("\"" + s + "\" is not one of Automatic, Manual");
        }
    }

    /** The spec; null fields take Calico's defaults in {@link #validated()}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Spec(@JsonProperty("cidr") String cidr, @JsonProperty("blockSize") Integer blockSize,
                       @JsonProperty("ipipMode") EncapMode ipipMode, @JsonProperty("vxlanMode") EncapMode vxlanMode,
                       @JsonProperty("natOutgoing") Boolean natOutgoing, @JsonProperty("disabled") Boolean disabled,
                       @JsonProperty("disableBGPExport") Boolean disableBGPExport,
                       @JsonProperty("nodeSelector") String nodeSelector,
                       @JsonProperty("allowedUses") List<String> allowedUses,
                       @JsonProperty("assignmentMode") AssignmentMode assignmentMode) {
        public Spec {
            allowedUses = allowedUses == null ? null : List.copyOf(allowedUses);
        }

        /** A spec with only a CIDR (everything else defaulted). */
        public static Spec of(String cidr) {
            return new Spec(cidr, null, null, null, null, null, null, null, null, null);
        }

        public Spec withBlockSize(int b) {
            return new Spec(cidr, b, ipipMode, vxlanMode, natOutgoing, disabled, disableBGPExport, nodeSelector, allowedUses, assignmentMode);
        }

        public Spec withEncap(EncapMode ipip, EncapMode vxlan) {
            return new Spec(cidr, blockSize, ipip, vxlan, natOutgoing, disabled, disableBGPExport, nodeSelector, allowedUses, assignmentMode);
        }

        public Spec withNatOutgoing(boolean nat) {
            return new Spec(cidr, blockSize, ipipMode, vxlanMode, nat, disabled, disableBGPExport, nodeSelector, allowedUses, assignmentMode);
        }

        public Spec withDisabled(boolean d) {
            return new Spec(cidr, blockSize, ipipMode, vxlanMode, natOutgoing, d, disableBGPExport, nodeSelector, allowedUses, assignmentMode);
        }

        public Spec withNodeSelector(String s) {
            return new Spec(cidr, blockSize, ipipMode, vxlanMode, natOutgoing, disabled, disableBGPExport, s, allowedUses, assignmentMode);
        }
    }

    public static IpPool of(String name, Spec spec) {
        return new IpPool(ObjectMeta.named(name), spec);
    }

    @Override
    public Kind<IpPool> kind() { return KIND; }

    @Override
    public IpPool withMetadata(ObjectMeta m) { return new IpPool(m, spec); }

    /** The pool's CIDR (valid after {@link #validated()}). */
    public IpPrefix cidr() { return IpPrefix.parse(spec.cidr()); }

    public int blockSize() { return spec.blockSize(); }

    public boolean disabled() { return Boolean.TRUE.equals(spec.disabled()); }

    /** Used for automatic assignment (enabled, Workload use, Automatic mode). */
    public boolean autoAssignable() {
        return !disabled() && (spec.allowedUses() == null || spec.allowedUses().contains("Workload"))
                && spec.assignmentMode() != AssignmentMode.MANUAL;
    }

    /** The parsed {@code nodeSelector} ({@code all()} when unset). */
    public Selector nodeSelector() {
        try {
            return Selector.parse(spec.nodeSelector() == null ? "all()" : spec.nodeSelector());
        } catch (SelectorException e) {
            throw invalid("spec.nodeSelector", e.getMessage());
        }
    }

    /** Whether a node with these labels may allocate from this pool automatically. */
    public boolean selectsNode(Map<String, String> nodeLabels) {
        return nodeSelector().matches(nodeLabels);
    }

    @Override
    public IpPool validated() {
        Checks.name(this);
        if (spec == null || spec.cidr() == null || spec.cidr().isBlank()) throw invalid("spec.cidr", "is required");
        IpPrefix cidr = Checks.maskedPrefix(this, "spec.cidr", spec.cidr().strip());
        boolean v4 = cidr.family() == IpFamily.V4;
        IpPrefix linkLocal = v4 ? LINK_LOCAL_V4 : LINK_LOCAL_V6;
        if (cidr.overlaps(linkLocal)) throw invalid("spec.cidr", cidr + " overlaps the link-local range " + linkLocal);
        int block = spec.blockSize() != null ? spec.blockSize() : v4 ? DEFAULT_BLOCK_V4 : DEFAULT_BLOCK_V6;
        int min = v4 ? 20 : 116;
        int max = v4 ? 32 : 128;
        if (block < min || block > max) {
            throw invalid("spec.blockSize", block + " is out of range " + min + "-" + max + " for an IPv" + (v4 ? 4 : 6) + " pool");
        }
        if (block < cidr.length()) {
            throw invalid("spec.blockSize", "a /" + block + " block is larger than the pool " + cidr);
        }
        EncapMode ipip = spec.ipipMode() == null ? EncapMode.NEVER : spec.ipipMode();
        EncapMode vxlan = spec.vxlanMode() == null ? EncapMode.NEVER : spec.vxlanMode();
        if (ipip != EncapMode.NEVER && !v4) throw invalid("spec.ipipMode", "IPIP is not supported on an IPv6 pool (" + cidr + ")");
        if (ipip != EncapMode.NEVER && vxlan != EncapMode.NEVER) {
            throw invalid("spec.ipipMode", "ipipMode " + ipip.text() + " and vxlanMode " + vxlan.text()
                    + " are both enabled; at most one encapsulation may be");
        }
        String selector = spec.nodeSelector() == null || spec.nodeSelector().isBlank() ? "all()" : spec.nodeSelector();
        try {
            Selector.parse(selector);
        } catch (SelectorException e) {
            throw invalid("spec.nodeSelector", e.getMessage());
        }
        List<String> uses = spec.allowedUses() == null || spec.allowedUses().isEmpty() ? List.of("Workload", "Tunnel") : spec.allowedUses();
        for (int i = 0; i < uses.size(); i++) {
            if (!USES.contains(uses.get(i))) {
                throw invalid("spec.allowedUses[" + i + "]", "\"" + uses.get(i) + "\" is not one of Workload, Tunnel, LoadBalancer");
            }
        }
        Spec s = new Spec(cidr.toString(), block, ipip, vxlan, Boolean.TRUE.equals(spec.natOutgoing()),
                Boolean.TRUE.equals(spec.disabled()), Boolean.TRUE.equals(spec.disableBGPExport()), selector, uses,
                spec.assignmentMode() == null ? AssignmentMode.AUTOMATIC : spec.assignmentMode());
        return new IpPool(metadata, s);
    }

    /** No overlap with another pool; {@code cidr} and {@code blockSize} are immutable. */
    static void crossCheck(IpPool candidate, IpPool previous, List<IpPool> others) {
        if (previous != null) {
            if (!previous.cidr().equals(candidate.cidr())) {
                throw candidate.invalid("spec.cidr", "is immutable (stored " + previous.cidr() + ", given " + candidate.cidr() + ")");
            }
            if (previous.blockSize() != candidate.blockSize()) {
                throw candidate.invalid("spec.blockSize", "is immutable (stored " + previous.blockSize() + ", given " + candidate.blockSize() + ")");
            }
        }
        for (IpPool o : others) {
            if (o.name().equals(candidate.name())) continue;
            if (o.cidr().overlaps(candidate.cidr())) {
                throw candidate.invalid("spec.cidr", candidate.cidr() + " overlaps IPPool \"" + o.name() + "\" (" + o.cidr() + ")");
            }
        }
    }
}
