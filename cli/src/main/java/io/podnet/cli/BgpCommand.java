package io.podnet.cli;

import io.podnet.bgp.standalone.BgpMain;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code podnet bgp --config rr.json}: the BGP speaker on its own, typically as a route reflector. */
@Command(name = "bgp", description = "Run the BGP speaker standalone (route reflector); see bgp/README.md for the config.")
final class BgpCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, description = "Speaker config (JSON: asn, routerId, clusterId, listen, peers, routes).")
    Path config;

    @Override
    public Integer call() {
        BgpMain.main(new String[] {"--config", config.toString()}); // exits with the speaker's status
        return 0;
    }
}
