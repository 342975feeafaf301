package io.podnet.cni.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podnet.cni.CniException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A network name reaches file paths and nft identifiers: the spec's rule is enforced at decode, code 7 naming "name". */
class NetConfNameTest {
    static NetConf decode(String name) throws CniException {
        return NetConf.decode(("{\"cniVersion\":\"1.0.0\",\"name\":" + name + ",\"type\":\"podnet\"}").getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void acceptsTheSpecsNames() throws Exception {
        for (String ok : new String[] {"\"pods\"", "\"a-b\"", "\"a.b\"", "\"a_b\"", "\"0k8s-pod-network\"", "\"\""}) {
            assertThat(decode(ok).name()).isEqualTo(ok.substring(1, ok.length() - 1));
        }
    }

    @Test
    void refusesEverythingElseWithCode7NamingTheField() {
        for (String bad : new String[] {"\"x\\\"y\\nz\"", "\"-lead\"", "\".hidden\"", "\"a/b\"", "\"a b\"", "\"../etc\"", "\"é\"",
                "\"" + "n".repeat(NetConf.MAX_NAME + 1) + "\""}) {
            assertThatThrownBy(() -> decode(bad)).as(bad).isInstanceOfSatisfying(CniException.class, e -> {
                assertThat(e.code()).isEqualTo(7);
                assertThat(e.getMessage()).contains("name:").doesNotContain("\n");
            });
        }
    }
}
