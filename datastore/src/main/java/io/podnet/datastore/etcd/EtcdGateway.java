package io.podnet.datastore.etcd;

import com.fasterxml.jackson.databind.JsonNode;
import io.podnet.datastore.DatastoreException;
import io.podnet.datastore.UnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;

/**
 * The transport to etcd's v3 JSON gateway: HTTP/1.1 POSTs through the JDK's {@link HttpClient} (keep-alive
 * connections, TLS from {@link PemTls}), one endpoint in use at a time with fail-over to the next, and etcd's
 * simple auth (a token from {@code /v3/auth/authenticate} sent as the {@code Authorization} header, which the
 * gateway passes on as gRPC metadata).
 *
 * <p>Complicating factors: a call is re-issued on another endpoint (within {@link #RETRY_BUDGET} and the
 * operation timeout) only when it certainly did not take effect: the connection was refused or never made, or
 * etcd answered "no leader" (rejected before proposing) or that it is shutting down; a read is also re-issued after a connection lost
 * mid-call. A lone dead endpoint fails at once. Simple-auth tokens live in one member's memory, so each endpoint
 * gets its own, and a call answered "invalid auth token" (expired, or another member's) re-authenticates once.
 */
final class EtcdGateway implements AutoCloseable {
    /** How long a call that certainly did not take effect is re-issued before it fails as unavailable. */
    static final Duration RETRY_BUDGET = Duration.ofSeconds(3);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(20);
    /**
     * Bound on opening a stream (etcd answers a watch's headers with its "created" message at once): a member that
     * accepted the connection while shutting down never answers, and a watch must not wait a whole operation
     * timeout for it (measured: a rolling restart's first member held a watch for the test's 30 s).
     */
    static final Duration STREAM_OPEN_TIMEOUT = Duration.ofSeconds(5);

    private final EtcdConfig config;
    private final HttpClient http;
    private final List<URI> endpoints;
    private final String endpointText;
    private final long timeoutNanos;
    private final AtomicInteger current = new AtomicInteger();
    private final Map<URI, String> tokens = new ConcurrentHashMap<>();

    private EtcdGateway(EtcdConfig config, HttpClient http) {
        this.config = config;
        this.http = http;
        this.endpoints = config.endpoints();
        this.endpointText = endpoints.toString();
        this.timeoutNanos = config.operationTimeout().toNanos();
    }

    /** Builds the client; nothing is sent until the first call. */
    static EtcdGateway open(EtcdConfig config) throws DatastoreException {
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.operationTimeout())
                // virtual threads for the client's own tasks: no pool of platform threads per client
                .executor(Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("etcd-http").factory()));
        if (config.tls().isPresent()) b.sslContext(PemTls.context(config.tls().get()));
        return new EtcdGateway(config, b.build());
    }

    String endpoints() { return endpointText; }

    /** Whether the call may be re-issued after the connection was lost with the request sent. */
    enum Retry { READ, WRITE }

    /**
     * POSTs {@code body} to {@code path} and returns etcd's answer, or throws the typed error.
     *
     * @param lease the lease the call involves (for {@code LeaseNotFoundException}), 0 for none
     */
    JsonNode call(String what, String path, String body, long lease, Retry retry) throws DatastoreException {
        long start = System.nanoTime();
        long deadline = start + timeoutNanos;
        long retryUntil = Math.min(deadline, start + RETRY_BUDGET.toNanos());
        long backoff = FIRST_BACKOFF.toNanos();
        boolean reauthenticated = false;
        while (true) {
            int index = current.get();
            URI ep = endpoints.get(index);
            boolean again;
            try {
                HttpResponse<byte[]> r = http.send(request(ep, path, body, deadline), HttpResponse.BodyHandlers.ofByteArray());
                EtcdJson.Failure f = answer(what, ep, r.statusCode(), r.body()).orElse(null);
                if (f == null) return EtcdJson.JSON.readTree(r.body());
                if (isInvalidToken(f) && config.credentials().isPresent() && !reauthenticated) {
                    tokens.remove(ep);
                    reauthenticated = true;
                    continue;
                }
                again = notTaken(f);
                if (!again || System.nanoTime() + backoff > retryUntil) {
                    throw EtcdErrorText.translate(what, f.message(), f.code() == EtcdJson.UNAVAILABLE, endpointText, lease, null);
                }
            } catch (DatastoreException e) {
                throw e; // etcd's answer, already typed (DatastoreException is an IOException: not a transport failure)
            } catch (HttpConnectTimeoutException | ConnectException | NoRouteToHostException e) {
                if (endpoints.size() == 1 || System.nanoTime() + backoff > retryUntil) throw unavailable(what, e);
            } catch (HttpTimeoutException e) {
                moveOn(index); // a black-holed member: the next call tries another one
                throw new UnavailableException(what + ": no answer from etcd at " + endpointText + " within "
                        + config.operationTimeout().toMillis() + " ms", e);
            } catch (IOException e) {
                Optional<SSLException> tls = sslCause(e);
                if (tls.isPresent()) throw EtcdErrorText.tlsFailed(what, endpointText, tls.get(), e);
                if (retry != Retry.READ || System.nanoTime() + backoff > retryUntil) throw unavailable(what, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DatastoreException(what + ": interrupted", e);
            }
            moveOn(index);
            pause(what, backoff);
            backoff = Math.min(backoff * 2, TimeUnit.MILLISECONDS.toNanos(500));
        }
    }

    /**
     * Opens a streaming call (a watch) on the current endpoint and returns its body, one JSON message per line.
     * Failures are thrown as they come (the watch decides what to do); closing the stream ends the call.
     */
    InputStream stream(String what, String path, String body) throws IOException, DatastoreException, InterruptedException {
        URI ep = endpoints.get(current.get());
        for (boolean reauthenticated = false; ; reauthenticated = true) {
            // the timeout bounds the wait for the answer's headers, not the stream (measured with JDK 25)
            long deadline = System.nanoTime() + Math.min(timeoutNanos, STREAM_OPEN_TIMEOUT.toNanos());
            HttpRequest req = HttpRequest.newBuilder(request(ep, path, body, deadline), (n, v) -> true)
                    .header("Grpc-Metadata-hasleader", "true")   // a member cut off from the leader ends the stream
                    .build();
            HttpResponse<InputStream> r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() == 200) return r.body();
            byte[] b;
            try (InputStream in = r.body()) {
                b = in.readNBytes(64 * 1024);
            }
            EtcdJson.Failure f = answer(what, ep, r.statusCode(), b).orElse(new EtcdJson.Failure(0, "HTTP " + r.statusCode()));
            if (isInvalidToken(f) && config.credentials().isPresent() && !reauthenticated) {
                tokens.remove(ep);
                continue;
            }
            throw EtcdErrorText.translate(what, f.message(), f.code() == EtcdJson.UNAVAILABLE, endpointText, 0, null);
        }
    }

    /** Stops using endpoint {@code index} (it failed): later calls go to the next one. */
    void moveOn(int index) {
        current.compareAndSet(index, (index + 1) % endpoints.size());
    }

    int currentIndex() { return current.get(); }

    /** A POST of {@code body} answered by {@code deadline} (System.nanoTime), with the endpoint's token. */
    private HttpRequest request(URI ep, String path, String body, long deadline) throws IOException, DatastoreException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(ep.resolve(path)).timeout(left(deadline))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        String token = token(ep, deadline);
        if (token != null) b.header("Authorization", token);
        return b.build();
    }

    private static Duration left(long deadline) {
        return Duration.ofNanos(Math.max(deadline - System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(1)));
    }

    /** The endpoint's auth token, authenticating first if there is none yet (null without credentials). */
    private String token(URI ep, long deadline) throws IOException, DatastoreException, InterruptedException {
        if (config.credentials().isEmpty()) return null;
        String t = tokens.get(ep);
        if (t != null) return t;
        EtcdConfig.Credentials c = config.credentials().get();
        HttpRequest req = HttpRequest.newBuilder(ep.resolve("/v3/auth/authenticate"))
                .timeout(left(deadline))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(EtcdJson.authenticate(c.user(), c.password()))).build();
        HttpResponse<byte[]> r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
        Optional<EtcdJson.Failure> f = answer("authenticate " + c.user(), ep, r.statusCode(), r.body());
        if (f.isPresent()) {
            if (f.get().message().contains("authentication is not enabled")) return null;
            throw EtcdErrorText.translate("authenticate " + c.user(), f.get().message(), false, endpointText, 0, null);
        }
        t = EtcdJson.JSON.readTree(r.body()).path("token").asText();
        tokens.put(ep, t);
        return t;
    }

    /** The failure an answer carries, if any; an answer that is not etcd's JSON is a failure of the endpoint. */
    private Optional<EtcdJson.Failure> answer(String what, URI ep, int status, byte[] body) throws DatastoreException {
        JsonNode n = EtcdJson.parse(body);
        if (n == null) {
            String text = new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8).strip();
            if (text.contains("CommonName of client sending a request against gateway")) {
                // etcd (embed/serve.go) with --client-cert-auth and auth on: the gateway cannot pass a CN on as the user
                throw new io.podnet.datastore.AuthenticationException(what + ": " + ep + " refuses a client certificate with a"
                        + " Common Name on its JSON gateway while etcd auth is on (\"" + text + "\"); use a client certificate"
                        + " without CN and a password, or etcd.client grpc", null);
            }
            throw new UnavailableException(what + ": " + ep + " answered HTTP " + status + " \"" + text + "\", not etcd's v3 JSON gateway", null);
        }
        Optional<EtcdJson.Failure> f = EtcdJson.failure(n);
        if (f.isEmpty() && status != 200) return Optional.of(new EtcdJson.Failure(0, "HTTP " + status + ": " + n));
        return f;
    }

    /**
     * Whether etcd certainly did not act on the call: no leader (rejected before proposing), or the member is
     * shutting down and its gateway could not pass the call on ("grpc: the client connection is closing").
     */
    static boolean notTaken(EtcdJson.Failure f) {
        return f.code() == EtcdJson.UNAVAILABLE && f.message().contains("no leader")
                || f.message().contains("the client connection is closing");
    }

    private static boolean isInvalidToken(EtcdJson.Failure f) {
        return f.message().contains("invalid auth token") || f.message().contains("auth: revision in header is old");
    }

    private UnavailableException unavailable(String what, IOException e) {
        String msg = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        return new UnavailableException(what + ": etcd at " + endpointText + " is unavailable: " + msg, e);
    }

    static Optional<SSLException> sslCause(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SSLException s) return Optional.of(s);
        }
        return Optional.empty();
    }

    private static void pause(String what, long nanos) throws DatastoreException {
        try {
            Thread.sleep(Duration.ofNanos(nanos));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatastoreException(what + ": interrupted", e);
        }
    }

    @Override
    public void close() {
        http.shutdownNow();
    }
}
