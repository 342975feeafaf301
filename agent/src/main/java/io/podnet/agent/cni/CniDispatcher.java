package io.podnet.agent.cni;

import io.podnet.cni.CniErrorCode;
import io.podnet.cni.CniException;
import io.podnet.cni.CniRequest;
import io.podnet.cni.server.CniHandler;
import io.podnet.cni.server.CniResponse;
import java.util.Map;

/**
 * Routes a CNI request to its handler: the {@code podnet-ipam} binary → IPAM only; a binary registered by name (a
 * delegated IPAM plugin such as {@code podnet-calico-ipam}, whose stdin names the main plugin's type) → its handler;
 * otherwise by the config's {@code type}: {@code podnet} (bridge network), {@code podnet-flannel} (overlay subnet
 * from subnet.env).
 */
public final class CniDispatcher implements CniHandler {
    private static final System.Logger LOG = System.getLogger(CniDispatcher.class.getName());
    private final CniHandler ipam;
    private final Map<String, CniHandler> byType;

    public CniDispatcher(CniHandler ipam, Map<String, CniHandler> byType) {
        this.ipam = ipam;
        this.byType = Map.copyOf(byType);
    }

    @Override
    public CniResponse handle(CniRequest req) throws CniException {
        long t0 = System.nanoTime();
        CniHandler h = req.isIpamPlugin() ? ipam
                : !req.plugin().equals(CniRequest.PLUGIN_MAIN) && byType.containsKey(req.plugin()) ? byType.get(req.plugin())
                : byType.get(req.conf().type().isEmpty() ? CniRequest.PLUGIN_MAIN : req.conf().type());
        if (h == null) {
            throw new CniException(CniErrorCode.INVALID_NETWORK_CONFIG, "unknown plugin type \"" + req.conf().type()
                    + "\" (podnet serves " + String.join(", ", byType.keySet()) + ")", "");
        }
        try {
            return h.handle(req);
        } finally {
            LOG.log(System.Logger.Level.DEBUG, () -> req + " took " + (System.nanoTime() - t0) / 1000 + " us");
        }
    }
}
