package io.podnet.calico;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Calico's {@code IPAMConfiguration} singleton ({@code api/pkg/apis/projectcalico/v3/ipamconfig.go}), name
 * {@code default}, key {@code ipamconfigurations/default}. Absent means the defaults: no strict affinity, blocks are
 * allocated automatically, no limit on blocks per host ({@code maxBlocksPerHost: 0}), no IP cooldown.
 */
public record IpamConfiguration(ObjectMeta metadata, Spec spec) implements Resource {
    public static final String NAME = "default";
    public static final int MAX_COOLDOWN_SECONDS = 1200;

    public static final Kind<IpamConfiguration> KIND = new Kind<>("IPAMConfiguration", "ipamconfigurations", false, Spec.class,
            (m, s) -> new IpamConfiguration(m, (Spec) s), List.of("ipamconfiguration", "ipamconfig", "ipamconfigs"),
            Kind.CrossCheck.none());

    public static final IpamConfiguration DEFAULT = new IpamConfiguration(ObjectMeta.named(NAME), new Spec(false, true, 0, 0));

    /** The spec; null fields default in {@link #validated()}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Spec(@JsonProperty("strictAffinity") Boolean strictAffinity,
                       @JsonProperty("autoAllocateBlocks") Boolean autoAllocateBlocks,
                       @JsonProperty("maxBlocksPerHost") Integer maxBlocksPerHost,
                       @JsonProperty("ipCooldownSeconds") Integer ipCooldownSeconds) {}

    @Override
    public Kind<IpamConfiguration> kind() { return KIND; }

    @Override
    public IpamConfiguration withMetadata(ObjectMeta m) { return new IpamConfiguration(m, spec); }

    public boolean strictAffinity() { return Boolean.TRUE.equals(spec.strictAffinity()); }

    public boolean autoAllocateBlocks() { return spec.autoAllocateBlocks() == null || spec.autoAllocateBlocks(); }

    /** 0 = no limit. */
    public int maxBlocksPerHost() { return spec.maxBlocksPerHost() == null ? 0 : spec.maxBlocksPerHost(); }

    public int ipCooldownSeconds() { return spec.ipCooldownSeconds() == null ? 0 : spec.ipCooldownSeconds(); }

    public IpamConfiguration with(boolean strict, int maxBlocks) {
        return new IpamConfiguration(metadata, new Spec(strict, autoAllocateBlocks(), maxBlocks, ipCooldownSeconds()));
    }

    @Override
    public IpamConfiguration validated() {
        Checks.name(this);
        if (!NAME.equals(metadata.name())) throw invalid("metadata.name", "must be \"default\" (the IPAM configuration is a singleton)");
        if (spec == null) return new IpamConfiguration(metadata, DEFAULT.spec);
        int max = maxBlocksPerHost();
        if (max < 0 || max > 1_000_000) throw invalid("spec.maxBlocksPerHost", max + " is out of range 0-1000000");
        int cool = ipCooldownSeconds();
        if (cool < 0 || cool > MAX_COOLDOWN_SECONDS) throw invalid("spec.ipCooldownSeconds", cool + " is out of range 0-" + MAX_COOLDOWN_SECONDS);
        return new IpamConfiguration(metadata, new Spec(strictAffinity(), autoAllocateBlocks(), max, cool));
    }
}
