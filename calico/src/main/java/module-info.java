/**
 * Calico's {@code projectcalico.org/v3} resources as Calico's etcd v3 mode stores them: records, validation (errors
 * name the resource and field), JSON/YAML, keys under {@code <prefix>/resources/v3/projectcalico.org/}, and a typed
 * store over the Datastore SPI.
 */
module io.podnet.calico {
    requires transitive io.podnet.net;
    requires transitive io.podnet.selector;
    requires transitive io.podnet.datastore;
    requires transitive com.fasterxml.jackson.databind;
    requires com.fasterxml.jackson.dataformat.yaml;
    exports io.podnet.calico;
    opens io.podnet.calico to com.fasterxml.jackson.databind;
}
