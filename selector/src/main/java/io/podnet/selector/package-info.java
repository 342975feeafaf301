/**
 * Calico's label selector language, as {@code projectcalico.org/v3} resources use it ({@code IPPool.nodeSelector},
 * {@code BGPPeer.nodeSelector/peerSelector}, policy {@code selector}/{@code namespaceSelector}, rule selectors).
 * <pre>
 *   text ──SelectorParser (tokens → precedence climbing)──► Selector (sealed AST) ──matches(labels)──► boolean
 *                                                              └─ toString(): canonical text (parses back to an equal AST)
 * </pre>
 * Grammar (lowest precedence first): {@code or := and ("||" and)*}, {@code and := unary ("&&" unary)*},
 * {@code unary := "!"* primary}, {@code primary := "(" or ")" | all() | global() | has(KEY) | KEY op}, where
 * {@code op} is {@code == S}, {@code != S}, {@code in {S, ...}}, {@code not in {S, ...}}, {@code contains S},
 * {@code starts with S}, {@code ends with S}; {@code S} is a single- or double-quoted string (no escapes) and
 * {@code KEY} matches {@code [a-zA-Z0-9_./-]{1,512}}. An empty (or blank) selector is {@code all()}.
 * Absent labels: {@code !=} and {@code not in} match, every other operator does not.
 */
package io.podnet.selector;
