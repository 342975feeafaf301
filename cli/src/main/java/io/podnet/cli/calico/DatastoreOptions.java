package io.podnet.cli.calico;

import io.podnet.agent.AgentConfig;
import io.podnet.calico.Kinds;
import io.podnet.calico.ResourceStore;
import io.podnet.datastore.Datastore;
import io.podnet.datastore.etcd.EtcdConfig;
import io.podnet.datastore.etcd.EtcdClient;
import io.podnet.ipam.cluster.IpamKeys;
import io.podnet.ipam.cluster.IpamReader;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Where the cluster's datastore is: flags, else calicoctl's environment variables, else the agent's config file
 * ({@code --agent-config}: its {@code etcd} section and {@code calicoIpam.prefix}).
 */
public final class DatastoreOptions {
    @Option(names = "--etcd-endpoints", split = ",", description = "etcd client URLs, comma separated (default: $ETCD_ENDPOINTS, "
            + "the agent config's etcd.endpoints, or http://127.0.0.1:2379).")
    List<URI> endpoints;
    @Option(names = "--etcd-ca-cert-file", description = "CA bundle to verify etcd (default: $ETCD_CA_CERT_FILE).")
    Path caFile;
    @Option(names = "--etcd-cert-file", description = "Client certificate (default: $ETCD_CERT_FILE).")
    Path certFile;
    @Option(names = "--etcd-key-file", description = "Client key (default: $ETCD_KEY_FILE).")
    Path keyFile;
    @Option(names = "--etcd-username", description = "etcd user (default: $ETCD_USERNAME).")
    String username;
    @Option(names = "--etcd-password", description = "etcd password (default: $ETCD_PASSWORD).")
    String password;
    @Option(names = "--calico-prefix", description = "Key prefix of the Calico data (default: $PODNET_CALICO_PREFIX, the agent "
            + "config's calicoIpam.prefix, or /calico).")
    String prefix;
    @Option(names = "--agent-config", description = "Take the etcd connection and prefix from this agent config file.")
    Path agentConfig;

    /** The connection as resolved from flags, environment and agent config (its {@code etcd.client}, else http). */
    record Resolved(EtcdConfig etcd, EtcdClient client, String prefix) {}

    Resolved resolve() throws IOException {
        AgentConfig agent = agentConfig != null ? AgentConfig.load(agentConfig) : null;
        AgentConfig.Etcd ae = agent == null ? null : agent.etcd();
        List<URI> eps = endpoints != null ? endpoints
                : env("ETCD_ENDPOINTS") != null ? java.util.Arrays.stream(env("ETCD_ENDPOINTS").split(",")).map(String::strip).map(URI::create).toList()
                : ae != null ? ae.endpoints() : List.of(URI.create("http://127.0.0.1:2379"));
        Path ca = pick(caFile, "ETCD_CA_CERT_FILE", ae == null ? null : ae.caFile());
        Path cert = pick(certFile, "ETCD_CERT_FILE", ae == null ? null : ae.certFile());
        Path key = pick(keyFile, "ETCD_KEY_FILE", ae == null ? null : ae.keyFile());
        String user = username != null ? username : env("ETCD_USERNAME") != null ? env("ETCD_USERNAME") : ae == null ? null : ae.username();
        String pw = password != null ? password : env("ETCD_PASSWORD") != null ? env("ETCD_PASSWORD") : ae == null ? null : ae.password();
        EtcdConfig c = ca == null ? EtcdConfig.of(eps)
                : cert != null ? EtcdConfig.of(eps, EtcdConfig.Tls.mutual(ca, cert, key)) : EtcdConfig.of(eps, EtcdConfig.Tls.ca(ca));
        if (user != null) c = c.withCredentials(user, pw == null ? "" : pw);
        String p = prefix != null ? prefix : env("PODNET_CALICO_PREFIX") != null ? env("PODNET_CALICO_PREFIX")
                : agent != null && agent.calicoIpam() != null ? agent.calicoIpam().prefix() : ResourceStore.DEFAULT_PREFIX;
        return new Resolved(c, ae == null ? EtcdClient.HTTP : ae.etcdClient(), p);
    }

    private static Path pick(Path flag, String var, Path fromAgent) {
        return flag != null ? flag : env(var) != null ? Path.of(env(var)) : fromAgent;
    }

    private static String env(String name) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? null : v;
    }

    /** An open connection: the datastore, the typed resource store and the IPAM reader. */
    record Session(Datastore ds, ResourceStore resources, IpamReader reader) implements AutoCloseable {
        @Override
        public void close() { ds.close(); }
    }

    Session open() throws IOException {
        Resolved r = resolve();
        Datastore ds = r.client().connect(r.etcd());
        ResourceStore res = new ResourceStore(ds, r.prefix(), Kinds.IPAM, InstantSource.system());
        return new Session(ds, res, new IpamReader(ds, new IpamKeys(r.prefix()), res));
    }
}
