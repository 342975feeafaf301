package io.podnet.ipam.cni;

import io.podnet.cni.Attachment;
import io.podnet.cni.CniErrorCode;
import io.podnet.cni.CniException;
import io.podnet.cni.CniRequest;
import io.podnet.cni.result.CniResult;
import io.podnet.cni.result.Dns;
import io.podnet.cni.result.IpConfig;
import io.podnet.cni.result.ResultCodec;
import io.podnet.cni.server.CniHandler;
import io.podnet.cni.server.CniResponse;
import io.podnet.ipam.AllocRange;
import io.podnet.ipam.IpamConfig;
import io.podnet.ipam.IpamConfigCache;
import io.podnet.ipam.IpamException;
import io.podnet.ipam.Owner;
import io.podnet.ipam.RangeSet;
import io.podnet.ipam.store.IpamStores;
import io.podnet.ipam.store.LocalIpamStore;
import io.podnet.ipam.store.Reservation;
import io.podnet.net.Cidr;
import io.podnet.net.IpAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * host-local semantics on the podnet store, for the {@code podnet-ipam} plugin type (and the agent's own IPAM step):
 * ADD returns an IPAM result (no interfaces), DEL releases (idempotent, no netns needed), CHECK verifies the
 * reservation matches {@code prevResult}, GC releases everything not in the valid attachments, STATUS checks
 * that the store opens.
 */
public final class IpamCniHandler implements CniHandler {
    private final IpamStores stores;
    private final IpamConfigCache configs = new IpamConfigCache();
    private final java.nio.file.Path defaultDataDir;

    /** With host-local's default data directory ({@link IpamConfig#DEFAULT_DATA_DIR}) for configs without {@code dataDir}. */
    public IpamCniHandler(IpamStores stores) {
        this(stores, IpamConfig.DEFAULT_DATA_DIR);
    }

    /** With {@code defaultDataDir} for configs without {@code ipam.dataDir} (the agent passes {@code <stateDir>/ipam}). */
    public IpamCniHandler(IpamStores stores, java.nio.file.Path defaultDataDir) {
        this.stores = stores;
        this.defaultDataDir = defaultDataDir;
    }

    @Override
    public CniResponse handle(CniRequest req) throws CniException {
        IpamConfig cfg;
        try {
            var ipam = req.conf().ipam().orElse(null); // a copy
            if (ipam != null && !ipam.has("dataDir")) ipam.put("dataDir", defaultDataDir.toString());
            cfg = configs.decode(ipam, req.conf().name(), req.conf().runtimeConfig().ipRanges());
        } catch (IpamException e) {
            throw e.toCni();
        }
        try {
            LocalIpamStore store = stores.get(cfg.networkDir(), cfg.fsync());
            return switch (req.command()) {
                case ADD -> CniResponse.result(add(req, cfg, store), req.conf().version());
                case DEL -> {
                    store.release(owner(req));
                    yield CniResponse.ok();
                }
                case CHECK -> {
                    store.check(owner(req), prevIps(req));
                    yield CniResponse.ok();
                }
                case GC -> {
                    List<Owner> valid = new ArrayList<>();
                    for (Attachment a : req.conf().validAttachments()) valid.add(new Owner(a.containerId(), a.ifname()));
                    store.releaseAllExcept(valid);
                    yield CniResponse.ok();
                }
                case STATUS, VERSION -> CniResponse.ok();
            };
        } catch (IpamException e) {
            throw e.toCni();
        } catch (IOException e) {
            throw new CniException(CniErrorCode.IO_FAILURE, "IPAM store " + cfg.networkDir() + ": " + e.getMessage(), "");
        }
    }

    /** ADD: allocate one address per range set (durably) and build the IPAM result. */
    public CniResult add(CniRequest req, IpamConfig cfg, LocalIpamStore store) throws IpamException, IOException, CniException {
        Pending p = reserve(req, cfg, store);
        try {
            p.reservation().awaitDurable();
        } catch (IOException | RuntimeException e) {
            p.reservation().cancel();
            throw e;
        }
        return p.result();
    }

    /**
     * An IPAM result whose addresses are reserved but maybe not yet durable: the caller awaits
     * {@code reservation().awaitDurable()} before it answers (and cancels the reservation if its own work fails).
     */
    public record Pending(CniResult result, Reservation reservation) {}

    /** ADD without waiting for durability, so the caller can plumb the interface meanwhile. */
    public Pending reserve(CniRequest req, IpamConfig cfg, LocalIpamStore store) throws IpamException, IOException, CniException {
        Optional<Dns> dns = dns(cfg); // read before reserving, so a bad resolvConf cannot leak addresses
        List<IpAddress> requested = requested(req);
        Reservation r = store.reserve(owner(req), cfg.rangeSets(), requested);
        List<IpAddress> ips = r.ips();
        List<IpConfig> out = new ArrayList<>();
        for (int i = 0; i < ips.size(); i++) {
            AllocRange range = cfg.rangeSets().get(i).rangeFor(ips.get(i)).orElseThrow();
            out.add(IpConfig.of(new Cidr(ips.get(i), range.subnet().length()), Optional.of(range.gateway())));
        }
        return new Pending(new CniResult(List.of(), out, cfg.routes(), dns), r);
    }

    /** The ipam section decoded; {@code runtimeConfig.ipRanges} overrides its ranges. */
    public static IpamConfig config(CniRequest req) throws CniException {
        try {
            return IpamConfig.decode(req.conf().ipam().orElse(null), req.conf().name(), req.conf().runtimeConfig().ipRanges());
        } catch (IpamException e) {
            throw e.toCni();
        }
    }

    private static Owner owner(CniRequest req) {
        return new Owner(req.containerId(), req.ifname());
    }

    private static List<IpAddress> requested(CniRequest req) throws CniException {
        List<IpAddress> out = new ArrayList<>();
        for (String s : req.requestedIps()) {
            try {
                out.add(IpAddress.parse(s.contains("/") ? s.substring(0, s.indexOf('/')) : s));
            } catch (IllegalArgumentException e) {
                throw new CniException(CniErrorCode.INVALID_NETWORK_CONFIG, "invalid requested IP \"" + s + "\"", "");
            }
        }
        return out;
    }

    private static List<IpAddress> prevIps(CniRequest req) throws CniException {
        if (req.conf().prevResult().isEmpty()) return List.of();
        CniResult prev = ResultCodec.decode(req.conf().prevResult().get());
        List<IpAddress> out = new ArrayList<>();
        prev.ips().forEach(ip -> out.add(ip.address().address()));
        return out;
    }

    private static Optional<Dns> dns(IpamConfig cfg) throws IOException {
        if (cfg.resolvConf().isEmpty()) return Optional.empty();
        return Optional.of(ResolvConf.parse(Files.readString(cfg.resolvConf().get())));
    }

    /** For callers that only need the range sets of a request (e.g. the agent's bridge gateway). */
    public static List<RangeSet> rangeSets(CniRequest req) throws CniException {
        return config(req).rangeSets();
    }
}
