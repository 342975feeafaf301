package io.podnet.ipam.cluster;

import io.podnet.calico.Kinds;
import io.podnet.calico.Node;
import io.podnet.calico.ResourceStateException;
import io.podnet.calico.ResourceStore;
import io.podnet.datastore.Datastore;
import io.podnet.ipam.cni.CalicoIpamCniHandler;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.Objects;

/**
 * Cluster IPAM as the agent runs it: registers the Node resource (with its labels), creates the default pools like
 * calico-node, serves {@code podnet-calico-ipam} and runs the GC every {@code gcInterval}. While the datastore is
 * unreachable at start-up the set-up is retried in the background; CNI requests meanwhile answer 11.
 *
 * @param settings what {@link #start} needs
 */
public final class ClusterIpamService implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ClusterIpamService.class.getName());
    /** How long pools, the IPAM configuration and node labels are reused by allocations (a change applies that much later). */
    public static final Duration RESOURCE_TTL = Duration.ofSeconds(2);

    /**
     * @param node       this node's name
     * @param labels     its labels (pool nodeSelectors match them)
     * @param prefix     datastore key prefix (Calico's: /calico)
     * @param pools      calico-node's pool settings by variable name ({@link PoolBootstrap#from})
     * @param grace      leak grace period (Calico's leakGracePeriod, default 5 min)
     * @param gcInterval how often the GC runs (default grace/2)
     * @param stateDir   where the handler records each handle's network namespace
     */
    public record Settings(String node, Map<String, String> labels, String prefix, Map<String, String> pools, Duration grace,
                           Duration gcInterval, Path stateDir) {
        public Settings {
            Objects.requireNonNull(node, "node");
            labels = Map.copyOf(labels);
            pools = Map.copyOf(pools);
        }
    }

    private final Settings settings;
    private final ResourceStore resources;
    private final ClusterIpam ipam;
    private final CalicoIpamCniHandler handler;
    private final IpamGc gc;
    private final PoolBootstrap bootstrap;
    private final Thread loop;
    private volatile boolean closed;

    private ClusterIpamService(Datastore ds, Settings s, InstantSource clock) throws IOException {
        this.settings = s;
        this.bootstrap = PoolBootstrap.from(s.pools()); // bad settings fail the agent's start, naming the variable
        this.resources = new ResourceStore(ds, s.prefix(), Kinds.IPAM, clock);
        this.ipam = new ClusterIpam(new IpamReader(ds, new IpamKeys(s.prefix()), resources), clock, RESOURCE_TTL);
        NetnsLiveness netns = new NetnsLiveness(s.stateDir().resolve("calico-ipam"));
        this.handler = new CalicoIpamCniHandler(ipam, s.node(), clock, netns);
        this.gc = new IpamGc(ipam, s.node(), netns, s.grace(), clock);
        this.loop = Thread.ofPlatform().daemon().name("podnet-calico-ipam").unstarted(this::run);
    }

    /** Builds the service and starts its set-up and GC thread; returns at once. */
    public static ClusterIpamService start(Datastore ds, Settings s) throws IOException {
        ClusterIpamService svc = new ClusterIpamService(ds, s, InstantSource.system());
        svc.loop.start();
        return svc;
    }

    public CalicoIpamCniHandler cniHandler() { return handler; }

    public ClusterIpam ipam() { return ipam; }

    private void run() {
        long backoff = 500;
        while (!closed) {
            try {
                setUp();
                break;
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "calico ipam set-up node=" + settings.node() + " failed (" + e.getMessage() + "); retrying");
                if (!pause(backoff)) return;
                backoff = Math.min(backoff * 2, 10_000);
            }
        }
        while (!closed && pause(settings.gcInterval().toMillis())) {
            try {
                gc.runOnce();
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "calico ipam gc node=" + settings.node() + ": " + e.getMessage());
            }
        }
    }

    /** Node resource with this node's labels, then the default pools. */
    void setUp() throws IOException {
        Node want = Node.of(settings.node(), settings.labels());
        try {
            resources.create(want);
        } catch (ResourceStateException e) {
            Node have = resources.get(Node.KIND, settings.node()).orElseThrow(() -> e);
            if (!have.labels().equals(settings.labels())) resources.update(have.withMetadata(have.metadata().withLabels(settings.labels())));
        }
        var created = bootstrap.ensure(resources);
        LOG.log(System.Logger.Level.INFO, "calico ipam ready node=" + settings.node() + (created.isEmpty() ? "" : ", created pools " + created));
    }

    private boolean pause(long ms) {
        synchronized (this) {
            if (closed) return false;
            try {
                wait(ms);
            } catch (InterruptedException e) {
                return false;
            }
            return !closed;
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        try {
            loop.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
