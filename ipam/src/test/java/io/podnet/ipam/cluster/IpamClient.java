package io.podnet.ipam.cluster;

import io.podnet.calico.Kinds;
import io.podnet.calico.ObjectMeta;
import io.podnet.calico.ResourceStore;
import io.podnet.calico.WorkloadEndpoint;
import io.podnet.datastore.Datastore;
import io.podnet.datastore.etcd.EtcdConfig;
import io.podnet.datastore.etcd.EtcdClient;
import io.podnet.ipam.IpamException;
import io.podnet.net.IpAddress;
import java.io.PrintStream;
import java.net.URI;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A child process acting for one node against real etcd through the agent's default client (etcd's JSON gateway;
 * the tests read the outcome through jetcd) for ClusterIpamConcurrencyIT and ClusterIpamCrashIT. Prints one
 * line per completed step, flushed, with {@code System.nanoTime()} (CLOCK_MONOTONIC, comparable across processes):
 * <pre>
 *   S h            about to allocate for handle h
 *   A h ip t [borrowed]  allocated ip (churn mode: together with its WorkloadEndpoint); count = allocations
 *   W h            crash mode: the WorkloadEndpoint written (the workload now holds it)
 *   r h t          about to release h          R h   released
 *   X h reason     allocation refused (exhausted)
 *   DONE
 * </pre>
 * Args: etcdUrl prefix node tag count maxLive mode(churn|crash) seed. Stops early when stdin closes.
 */
public final class IpamClient {
    public static void main(String[] a) throws Exception {
        String node = a[2];
        String tag = a[3];
        int count = Integer.parseInt(a[4]);
        int maxLive = Integer.parseInt(a[5]);
        boolean crash = a[6].equals("crash");
        SplittableRandom rnd = new SplittableRandom(Long.parseLong(a[7]));
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false);
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread.ofPlatform().daemon().start(() -> {
            try {
                while (System.in.read() >= 0) { }
            } catch (java.io.IOException e) {
                // stdin gone: stop as well
            }
            stop.set(true);
        });
        try (Datastore ds = EtcdClient.HTTP.connect(EtcdConfig.of(List.of(URI.create(a[0]))).withTimeout(java.time.Duration.ofSeconds(60)))) {
            ResourceStore res = new ResourceStore(ds, a[1], Kinds.IPAM, InstantSource.system());
            IpamReader reader = new IpamReader(ds, new IpamKeys(a[1]), res);
            ClusterIpam ipam = new ClusterIpam(reader, InstantSource.system(), java.time.Duration.ofSeconds(2));
            List<String> live = new ArrayList<>();
            Map<String, String> attrs = Map.of("node", node);
            reader.config(); // the first call of a JVM is slow (class loading, channel set-up): not part of the run
            out.println("READY");
            out.flush();
            int allocated = 0;
            boolean draining = false; // crash mode: fill to maxLive, then release all and give the empty blocks back
            for (int i = 0; allocated < count && !stop.get(); i++) {
                if (crash && live.size() >= maxLive) draining = true;
                if (crash && live.isEmpty()) draining = false;
                boolean release = !live.isEmpty() && (crash ? draining : live.size() >= maxLive || rnd.nextInt(10) < 4);
                if (release) {
                    release(ipam, res, node, live.remove(crash ? live.size() - 1 : rnd.nextInt(live.size())), out, crash);
                    if (crash && live.isEmpty()) dropEmptyBlocks(reader, node);
                    continue;
                }
                String h = tag + "-" + i;
                out.println("S " + h);
                out.flush();
                try {
                    List<ClusterIpam.Assignment> got;
                    if (crash) {
                        got = ipam.autoAssign(new ClusterIpam.AssignRequest(h, node, attrs, 1, 0, List.of(), List.of()));
                    } else {
                        got = ipam.autoAssign(new ClusterIpam.AssignRequest(h, node, attrs, 1, 0, List.of(), List.of()),
                                ips -> List.of(res.putOp(endpoint(node, h, ips.getFirst()))));
                    }
                    IpAddress ip = got.getFirst().ip();
                    allocated++;
                    out.println("A " + h + " " + ip + " " + System.nanoTime() + (got.getFirst().borrowed() ? " borrowed" : ""));
                    out.flush();
                    if (crash) {
                        res.apply(endpoint(node, h, ip));
                        out.println("W " + h);
                        out.flush();
                    }
                    live.add(h);
                } catch (IpamException e) {
                    out.println("X " + h + " " + e.getMessage());
                    out.flush();
                    if (!live.isEmpty()) release(ipam, res, node, live.remove(rnd.nextInt(live.size())), out, crash);
                }
            }
            out.println("DONE");
            out.flush();
        }
    }

    static WorkloadEndpoint endpoint(String node, String handle, IpAddress ip) {
        return new WorkloadEndpoint(new ObjectMeta(WorkloadEndpoint.nameFor(node, "cni", handle, "eth0"), "default", null, null, null,
                Map.of(), Map.of()), new WorkloadEndpoint.Spec("cni", "", node, handle, null, "eth0", List.of(ip + "/32"), null, null));
    }

    /** As a CNI DEL would: the endpoint first, then the addresses. */
    static void release(ClusterIpam ipam, ResourceStore res, String node, String h, PrintStream out, boolean crash) throws Exception {
        out.println("r " + h + " " + System.nanoTime());
        out.flush();
        WorkloadEndpoint w = endpoint(node, h, IpAddress.parse("0.0.0.0"));
        if (crash) { // as a main plugin's DEL: the endpoint first, then IPAM (a kill in between leaves a leak to find)
            res.delete(WorkloadEndpoint.KIND, "default", w.name(), null);
            ipam.releaseByHandle(h);
        } else {
            ipam.releaseByHandle(h, List.of(io.podnet.datastore.Op.delete(res.key(w))));
        }
        out.println("R " + h);
        out.flush();
    }

    /** Crash mode: give back this node's empty blocks so that the next round claims again (many claims to kill). */
    static void dropEmptyBlocks(IpamReader reader, String node) throws Exception {
        IpamMaintenance fix = new IpamMaintenance(reader);
        for (Versioned<AllocationBlock> b : reader.blocks(null)) {
            if (b.value().host().equals(java.util.Optional.of(node)) && b.value().isEmpty()) fix.releaseEmptyBlock(b);
        }
    }
}
