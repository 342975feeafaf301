package io.podnet.testkit;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension for {@code *NetnsIT} tests: skips (naming the missing capability) unless root, and
 * hands each test method fresh {@link Netns} parameters that are deleted after the test, pass or fail.
 * <pre>{@code
 * @ExtendWith(NetnsExtension.class)
 * class LinkNetnsIT { @Test void addsVeth(Netns a, Netns b) { ... } }
 * }</pre>
 */
public final class NetnsExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(NetnsExtension.class);

    @Override
    public void beforeEach(ExtensionContext ctx) {
        Assumptions.assumeTrue(Netns.privileged(), "needs root (CAP_NET_ADMIN, CAP_SYS_ADMIN) to create network namespaces");
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext ctx) {
        return p.getParameter().getType() == Netns.class;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Object resolveParameter(ParameterContext p, ExtensionContext ctx) {
        Assumptions.assumeTrue(Netns.privileged(), "needs root to create network namespaces");
        List<Netns> created = ctx.getStore(NS).getOrComputeIfAbsent("created", k -> new ArrayList<Netns>(), List.class);
        Netns n = Netns.create("t");
        created.add(n);
        return n;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void afterEach(ExtensionContext ctx) {
        List<Netns> created = ctx.getStore(NS).remove("created", List.class);
        if (created != null) created.forEach(Netns::close);
    }
}
