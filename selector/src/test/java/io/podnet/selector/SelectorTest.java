package io.podnet.selector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SelectorTest {
    private static final Map<String, String> DB = Map.of("role", "db", "zone", "us-east-1a", "kubernetes.io/os", "linux");

    private static boolean eval(String selector, Map<String, String> labels) throws SelectorException {
        return Selector.parse(selector).matches(labels);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource
    void evaluatesAsCalicoDoes(String selector, boolean expected) throws SelectorException {
        assertThat(eval(selector, DB)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} prints as {1}")
    @MethodSource
    void printsCanonicallyAndReparsesToTheSameTree(String selector, String canonical) throws SelectorException {
        Selector s = Selector.parse(selector);
        if (canonical != null) assertThat(s).hasToString(canonical);
        assertThat(Selector.parse(s.toString())).isEqualTo(s);
    }

    @Test
    void labelsNamedLikeKeywordsAreLabels() throws SelectorException {
        assertThat(eval("has == 'x'", Map.of("has", "x"))).isTrue();
        assertThat(eval("all == 'x'", Map.of("all", "x"))).isTrue();
        assertThat(eval("inx == 'x'", Map.of("inx", "x"))).isTrue();
        assertThat(eval("has(has)", Map.of("has", ""))).isTrue();
    }

    @Test
    void collectsTheLabelKeysItReads() throws SelectorException {
        assertThat(Selector.parse("a == 'x' && !(has(b) || c in {'1'}) || all()").labelKeys()).containsExactly("a", "b", "c");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void refusesBadSyntaxSayingWhereAndWhy(String selector, String problem) {
        assertThatThrownBy(() -> Selector.parse(selector)).isInstanceOf(SelectorException.class)
                .hasMessageContaining(problem).hasMessageContaining("position");
    }

    @Test
    void boundsNestingDepth() {
        String deep = "(".repeat(100) + "all()" + ")".repeat(100);
        assertThatThrownBy(() -> Selector.parse(deep)).isInstanceOf(SelectorException.class).hasMessageContaining("nested deeper");
        String ok = "(".repeat(60) + "all()" + ")".repeat(60);
        assertThat(catchingParse(ok)).isEqualTo(new Selector.All());
    }

    @Test
    void refusesOverlongKeys() {
        assertThatThrownBy(() -> Selector.parse("a".repeat(513) + " == 'x'")).isInstanceOf(SelectorException.class)
                .hasMessageContaining("longer than 512");
    }

    @Test
    void andOfPartsFlattensTheTrivialCases() throws SelectorException {
        assertThat(Selector.and(java.util.List.of())).isEqualTo(new Selector.All());
        Selector one = Selector.parse("has(a)");
        assertThat(Selector.and(java.util.List.of(one))).isSameAs(one);
        assertThat(Selector.and(java.util.List.of(one, Selector.parse("b == 'c'")))).hasToString("(has(a) && b == \"c\")");
    }

    static Stream<Arguments> evaluatesAsCalicoDoes() {
        return Stream.of(
                Arguments.of("all()", true),
                Arguments.of("", true),
                Arguments.of("global()", true),
                Arguments.of("has(role)", true),
                Arguments.of("has(missing)", false),
                Arguments.of("!has(missing)", true),
                Arguments.of("!has(role)", false),
                Arguments.of("role == 'db'", true),
                Arguments.of("role == \"db\"", true),
                Arguments.of("role == 'web'", false),
                Arguments.of("missing == ''", false),
                Arguments.of("role != 'web'", true),
                Arguments.of("missing != 'web'", true),
                Arguments.of("role != 'db'", false),
                Arguments.of("role in {'db', 'cache'}", true),
                Arguments.of("role in {}", false),
                Arguments.of("missing in {'db'}", false),
                Arguments.of("role not in {'db'}", false),
                Arguments.of("missing not in {'db'}", true),
                Arguments.of("role not in {}", true),
                Arguments.of("zone contains 'east'", true),
                Arguments.of("zone starts with 'us-'", true),
                Arguments.of("zone ends with '1a'", true),
                Arguments.of("zone ends with '1b'", false),
                Arguments.of("missing contains ''", false),
                Arguments.of("kubernetes.io/os == 'linux'", true),
                Arguments.of("role == 'db' && zone == 'x'", false),
                Arguments.of("role == 'db' || zone == 'x'", true),
                Arguments.of("!(role == 'db')", false),
                Arguments.of("!!has(role)", true),
                Arguments.of("!role == 'db'", false),
                Arguments.of("role == 'x' && zone == 'x' || has(role)", true),
                Arguments.of("has(role) || zone == 'x' && has(missing)", true),
                Arguments.of("(has(role) || zone == 'x') && has(missing)", false),
                Arguments.of("( has( role ) )", true));
    }

    static Stream<Arguments> printsCanonicallyAndReparsesToTheSameTree() {
        return Stream.of(
                Arguments.of("role=='db'", "role == \"db\""),
                Arguments.of("a == 'x' && b == 'y' || c == 'z'", "((a == \"x\" && b == \"y\") || c == \"z\")"),
                Arguments.of("a == 'x' && (b == 'y' || c == 'z')", "(a == \"x\" && (b == \"y\" || c == \"z\"))"),
                Arguments.of("x in {'b','a','b'}", "x in {\"a\", \"b\"}"),
                Arguments.of("x not in {}", "x not in {}"),
                Arguments.of("! has(x)", "!has(x)"),
                Arguments.of("v == 'say \"hi\"'", "v == 'say \"hi\"'"),
                Arguments.of("all( )", null));
    }

    static Stream<Arguments> refusesBadSyntaxSayingWhereAndWhy() {
        return Stream.of(
                Arguments.of("role =  'db'", "expected an operator"),
                Arguments.of("role == db", "expected a quoted string"),
                Arguments.of("role == 'db", "unterminated string"),
                Arguments.of("has(role", "expected ')'"),
                Arguments.of("has()", "expected a label name"),
                Arguments.of("(role == 'db'", "expected ')'"),
                Arguments.of("role == 'db')", "unexpected ')'"),
                Arguments.of("role == 'db' &&", "unexpected end of selector"),
                Arguments.of("role == 'db' & x", "unexpected '&'"),
                Arguments.of("role in 'db'", "expected '{'"),
                Arguments.of("role in {'a' 'b'}", "expected ',' or '}'"),
                Arguments.of("role not 'a'", "expected 'in' after 'not'"),
                Arguments.of("role starts 'a'", "expected 'with'"),
                Arguments.of("all(x)", "expected ')' after all("),
                Arguments.of("== 'a'", "expected a label name"),
                Arguments.of("role$ == 'a'", "expected an operator"));
    }

    private static Selector catchingParse(String s) {
        try {
            return Selector.parse(s);
        } catch (SelectorException e) {
            throw new AssertionError(e);
        }
    }
}
