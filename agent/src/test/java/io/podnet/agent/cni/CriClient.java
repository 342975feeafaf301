package io.podnet.agent.cni;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A small CRI client, as kubelet is one: unary calls of {@code runtime.v1.RuntimeService} over the runtime's unix
 * socket (grpc-java on Netty's NIO domain-socket channel, both already on the class path through jetcd). Debian has
 * no crictl and no generated CRI stubs, so the few messages used are built and read field by field with protobuf's
 * {@link UnknownFieldSet}; field numbers are those of the CRI {@code api.proto} (k8s.io/cri-api, runtime/v1).
 */
final class CriClient implements AutoCloseable {
    private static final String SERVICE = "runtime.v1.RuntimeService/";
    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) { return new ByteArrayInputStream(value); }

        @Override
        public byte[] parse(InputStream in) {
            try {
                return in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };
    private final NioEventLoopGroup group = new NioEventLoopGroup(1);
    private final ManagedChannel channel;

    /** A hostPort mapping of a sandbox (CRI {@code PortMapping}, TCP). */
    record Port(int containerPort, int hostPort) {}

    /** What {@code PodSandboxStatus} (verbose) tells about a sandbox's network. */
    record Status(String id, int state, String ip, String netnsPath) {
        boolean ready() { return state == 0; }
    }

    CriClient(Path socket) {
        channel = NettyChannelBuilder.forAddress(UnixDomainSocketAddress.of(socket))
                .channelType(NioDomainSocketChannel.class, UnixDomainSocketAddress.class)
                .eventLoopGroup(group).usePlaintext().overrideAuthority("localhost").build();
    }

    /** {@code Version}: the runtime's name and version (e.g. "containerd", "1.6.20~ds1"). */
    List<String> version() throws InvalidProtocolBufferException {
        UnknownFieldSet r = call("Version", new Msg().str(1, "v1"), 30);
        return List.of(str(r, 2), str(r, 3));
    }

    /** {@code RunPodSandbox} of a pod named {@code name} in namespace {@code ns}; returns the sandbox id. */
    String runPodSandbox(String name, String ns, List<Port> ports) throws InvalidProtocolBufferException {
        Msg config = new Msg().msg(1, new Msg().str(1, name).str(2, name + "-uid").str(3, ns).varint(4, 0)).str(2, name);
        for (Port p : ports) config.msg(5, new Msg().varint(1, 0).varint(2, p.containerPort()).varint(3, p.hostPort()));
        config.msg(8, new Msg()); // LinuxPodSandboxConfig: runtime defaults (cgroupfs parent, no security context)
        return str(call("RunPodSandbox", new Msg().msg(1, config), 180), 1);
    }

    /** {@code PodSandboxStatus} with verbose info (the network namespace path is read from the runtime spec in it). */
    Status podSandboxStatus(String id) throws IOException {
        UnknownFieldSet r = call("PodSandboxStatus", new Msg().str(1, id).varint(2, 1), 60);
        UnknownFieldSet status = sub(r, 1);
        String ip = status.hasField(5) ? str(sub(status, 5), 1) : "";
        int state = status.hasField(3) ? status.getField(3).getVarintList().getFirst().intValue() : 0;
        String netns = "";
        Map<String, String> info = map(r, 2);
        if (info.containsKey("info")) {
            for (var n : CniTestBed.JSON.readTree(info.get("info")).path("runtimeSpec").path("linux").path("namespaces")) {
                if (n.path("type").asText().equals("network")) netns = n.path("path").asText();
            }
        }
        return new Status(str(status, 1), state, ip, netns);
    }

    /** {@code StopPodSandbox}: kubelet calls it at least once, often twice, before removing. */
    void stopPodSandbox(String id) throws InvalidProtocolBufferException {
        call("StopPodSandbox", new Msg().str(1, id), 180);
    }

    /** {@code RemovePodSandbox}. */
    void removePodSandbox(String id) throws InvalidProtocolBufferException {
        call("RemovePodSandbox", new Msg().str(1, id), 180);
    }

    private UnknownFieldSet call(String method, Msg request, int timeoutSeconds) throws InvalidProtocolBufferException {
        MethodDescriptor<byte[], byte[]> md = MethodDescriptor.<byte[], byte[]>newBuilder().setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(SERVICE + method).setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
        byte[] answer = ClientCalls.blockingUnaryCall(channel, md, CallOptions.DEFAULT.withDeadlineAfter(timeoutSeconds, TimeUnit.SECONDS),
                request.bytes());
        return UnknownFieldSet.parseFrom(answer);
    }

    private static String str(UnknownFieldSet m, int field) {
        return m.hasField(field) ? m.getField(field).getLengthDelimitedList().getFirst().toStringUtf8() : "";
    }

    private static UnknownFieldSet sub(UnknownFieldSet m, int field) throws InvalidProtocolBufferException {
        return m.hasField(field) ? UnknownFieldSet.parseFrom(m.getField(field).getLengthDelimitedList().getFirst()) : UnknownFieldSet.getDefaultInstance();
    }

    /** A {@code map<string,string>} field: repeated entries {1: key, 2: value}. */
    private static Map<String, String> map(UnknownFieldSet m, int field) throws InvalidProtocolBufferException {
        if (!m.hasField(field)) return Map.of();
        var out = new java.util.LinkedHashMap<String, String>();
        for (ByteString entry : m.getField(field).getLengthDelimitedList()) {
            UnknownFieldSet e = UnknownFieldSet.parseFrom(entry);
            out.put(str(e, 1), str(e, 2));
        }
        return out;
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    }

    /** A protobuf message under construction: fields appended in order, repeated fields by repeating the number. */
    static final class Msg {
        private final UnknownFieldSet.Builder b = UnknownFieldSet.newBuilder();

        Msg str(int field, String value) { return bytes(field, ByteString.copyFromUtf8(value)); }

        Msg msg(int field, Msg value) { return bytes(field, value.b.build().toByteString()); }

        Msg varint(int field, long value) {
            b.mergeField(field, UnknownFieldSet.Field.newBuilder().addVarint(value).build());
            return this;
        }

        private Msg bytes(int field, ByteString value) {
            b.mergeField(field, UnknownFieldSet.Field.newBuilder().addLengthDelimited(value).build());
            return this;
        }

        byte[] bytes() { return b.build().toByteArray(); }
    }
}
