package io.podnet.cni;

/**
 * A CNI error code (SPEC.md "Error"). Codes 0-99 are reserved by the spec, 100+ are plugin-specific.
 * An open enum: {@link #of(int)} returns the known constant or a fresh value, so unknown codes round-trip.
 *
 * @param code the wire code
 * @param meaning a short description (empty text for unknown codes)
 */
public record CniErrorCode(int code, String meaning) {

    public static final CniErrorCode INCOMPATIBLE_VERSION = new CniErrorCode(1, "Incompatible CNI version");
    public static final CniErrorCode UNSUPPORTED_FIELD = new CniErrorCode(2, "Unsupported field in network configuration");
    public static final CniErrorCode UNKNOWN_CONTAINER = new CniErrorCode(3, "Container unknown or does not exist");
    public static final CniErrorCode INVALID_ENVIRONMENT = new CniErrorCode(4, "Invalid necessary environment variables");
    public static final CniErrorCode IO_FAILURE = new CniErrorCode(5, "I/O failure");
    public static final CniErrorCode DECODING_FAILURE = new CniErrorCode(6, "Failed to decode content");
    public static final CniErrorCode INVALID_NETWORK_CONFIG = new CniErrorCode(7, "Invalid network config");
    /** Reference library only ({@code pkg/types.ErrInvalidNetNS}). */
    public static final CniErrorCode INVALID_NETNS = new CniErrorCode(8, "Invalid network namespace");
    public static final CniErrorCode TRY_AGAIN_LATER = new CniErrorCode(11, "Try again later");
    public static final CniErrorCode PLUGIN_NOT_AVAILABLE = new CniErrorCode(50, "Plugin not available");
    public static final CniErrorCode PLUGIN_NOT_AVAILABLE_LIMITED = new CniErrorCode(51,
            "Plugin not available; existing containers may have limited connectivity");
    /** podnet: an unexpected failure inside the agent. */
    public static final CniErrorCode INTERNAL = new CniErrorCode(100, "podnet internal error");
    /** podnet: every range in an IPAM range set is allocated. */
    public static final CniErrorCode IPAM_EXHAUSTED = new CniErrorCode(101, "No IP addresses available");
    /** podnet: a requested IP (runtimeConfig.ips, args.cni.ips, CNI_ARGS IP=) cannot be given out. */
    public static final CniErrorCode IPAM_REQUESTED_UNAVAILABLE = new CniErrorCode(102, "Requested IP address not available");
    /** podnet: the attachment already holds an address in this range set. */
    public static final CniErrorCode IPAM_DUPLICATE = new CniErrorCode(103, "Duplicate allocation");
    /** podnet: CHECK found state that differs from what ADD created. */
    public static final CniErrorCode CHECK_FAILED = new CniErrorCode(104, "Attachment check failed");

    /**
     * Reference library only ({@code pkg/types.ErrInternal}): what libcni's skel reports for any untyped plugin
     * error, e.g. the reference bridge plugin's "container veth name provided (eth0) already exists". podnet
     * answers it when CNI_IFNAME already exists in the sandbox, as the reference does.
     */
    public static final CniErrorCode LIBCNI_INTERNAL = new CniErrorCode(999, "Internal error (libcni ErrInternal)");

    private static final CniErrorCode[] KNOWN = {INCOMPATIBLE_VERSION, UNSUPPORTED_FIELD, UNKNOWN_CONTAINER,
        INVALID_ENVIRONMENT, IO_FAILURE, DECODING_FAILURE, INVALID_NETWORK_CONFIG, INVALID_NETNS, TRY_AGAIN_LATER,
        PLUGIN_NOT_AVAILABLE, PLUGIN_NOT_AVAILABLE_LIMITED, INTERNAL, IPAM_EXHAUSTED, IPAM_REQUESTED_UNAVAILABLE,
        IPAM_DUPLICATE, CHECK_FAILED, LIBCNI_INTERNAL};

    public CniErrorCode {
        if (code < 0) throw new IllegalArgumentException("CNI error code must be unsigned: " + code);
        if (meaning == null) meaning = "";
    }

    /** The known code, or an unknown one with empty meaning. */
    public static CniErrorCode of(int code) {
        for (CniErrorCode k : KNOWN) {
            if (k.code == code) return k;
        }
        return new CniErrorCode(code, "");
    }

    public boolean isKnown() {
        return !meaning.isEmpty();
    }

    /** Codes 0-99 are reserved for the spec. */
    public boolean isPluginSpecific() {
        return code >= 100;
    }
}
