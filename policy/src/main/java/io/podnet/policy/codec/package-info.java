/**
 * YAML/JSON ⇄ policy resources. {@link io.podnet.policy.codec.ResourceDecoder} reads and validates what users
 * write (errors name the field, as {@code kubectl} prints them); {@link io.podnet.policy.codec.ResourceEncoder}
 * writes resources back in the same API shape (for {@code podnet get -o yaml} and for storing them).
 * <pre>
 *   text ──documents (YAML ---, JSON object/array, kind: List)──► JsonNode ──Kind.of(apiVersion, kind)──► reader
 *        ──► K8sPolicyReader | CalicoPolicyReader | network set / namespace / endpoint ──► Resource (or InvalidResourceException)
 * </pre>
 */
package io.podnet.policy.codec;
