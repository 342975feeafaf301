package io.podnet.selector;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Generated selectors: the canonical text parses back to the same tree; random text never escapes as anything but SelectorException. */
class SelectorPropertiesTest {

    @Property(tries = 500)
    void canonicalTextRoundTrips(@ForAll("selectors") Selector s) throws SelectorException {
        assertThat(Selector.parse(s.toString())).isEqualTo(s);
    }

    @Property(tries = 500)
    void canonicalTextEvaluatesTheSame(@ForAll("selectors") Selector s, @ForAll("labels") Map<String, String> labels) throws SelectorException {
        assertThat(Selector.parse(s.toString()).matches(labels)).isEqualTo(s.matches(labels));
    }

    @Property(tries = 1000)
    void arbitraryTextParsesOrFailsCleanly(@ForAll("noise") String text) {
        try {
            Selector.parse(text);
        } catch (SelectorException e) {
            assertThat(e.position()).isBetween(0, text.length());
        }
    }

    @Provide
    Arbitrary<String> noise() {
        return Arbitraries.strings().withChars("ab ()!=&|{},'\"hasllinotcw.-/").ofMaxLength(40);
    }

    @Provide
    Arbitrary<Map<String, String>> labels() {
        return Arbitraries.maps(Arbitraries.of("a", "b", "c"), Arbitraries.of("", "x", "y", "xy")).ofMaxSize(3);
    }

    @Provide
    Arbitrary<Selector> selectors() {
        return selector(3);
    }

    private Arbitrary<Selector> selector(int depth) {
        Arbitrary<String> key = Arbitraries.of("a", "b", "c", "k8s.io/x-y_z");
        Arbitrary<String> value = Arbitraries.of("", "x", "y", "xy", "with space", "q\"uote");
        Arbitrary<Selector> leaf = Arbitraries.oneOf(
                Arbitraries.just(new Selector.All()),
                key.map(Selector.Has::new),
                Combinators.combine(key, Arbitraries.of(Selector.Op.values()), value).as(Selector.Compare::new),
                Combinators.combine(key, Arbitraries.of(true, false), value.set().ofMaxSize(3))
                        .as((k, n, vs) -> new Selector.InSet(k, n, new TreeSet<>(vs))));
        if (depth == 0) return leaf;
        Arbitrary<Selector> sub = Arbitraries.lazy(() -> selector(depth - 1));
        return Arbitraries.oneOf(leaf,
                sub.filter(s -> !(s instanceof Selector.Not)).map(Selector.Not::new),
                sub.list().ofMinSize(2).ofMaxSize(3).filter(l -> l.stream().noneMatch(x -> x instanceof Selector.And)).map(Selector.And::new),
                sub.list().ofMinSize(2).ofMaxSize(3).filter(l -> l.stream().noneMatch(x -> x instanceof Selector.Or)).map(Selector.Or::new));
    }
}
