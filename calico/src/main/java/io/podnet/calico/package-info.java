/**
 * Calico's v3 resource layer.
 *
 * <pre>
 *   YAML/JSON file ──ResourceReader──► Resource (IpPool | IpamConfiguration | Node | WorkloadEndpoint)
 *                                         │ validated() : defaults + field checks (ResourceValidationException)
 *                                         ▼
 *   ResourceStore ──Kind.crossCheck (e.g. pool overlap)──► Datastore key
 *       &lt;prefix&gt;/resources/v3/projectcalico.org/&lt;plural&gt;/[&lt;namespace&gt;/]&lt;name&gt;
 *       value: {"kind","apiVersion":"projectcalico.org/v3","metadata":{name,uid,creationTimestamp,labels},"spec":{..}}
 *       metadata.resourceVersion = the key's etcd mod revision (not stored)
 * </pre>
 *
 * The kinds a store and a reader know are an explicit {@link io.podnet.calico.Kinds} list; adding a kind means adding
 * a record that implements {@link io.podnet.calico.Resource} (a sealed interface, so every switch over resources
 * names it) and a {@link io.podnet.calico.Kind} constant.
 */
package io.podnet.calico;
