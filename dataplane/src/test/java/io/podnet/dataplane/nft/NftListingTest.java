package io.podnet.dataplane.nft;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The kernel's JSON listing of a rendered ruleset (captures from real nft) compares equal to what podnet wants. */
class NftListingTest {
    static String capture(String name) throws Exception {
        return Files.readString(Path.of("src/test/resources/captures/nft", name + ".json"));
    }

    @Test
    void aCorrectTableReadsBackAsItsDesiredForm() throws Exception {
        assertThat(NftListing.parse(capture("masquerade-and-dnat"), "inet", "podnet")).isEqualTo(NftRulesetTest.masqueradeAndDnat().observed());
        assertThat(NftListing.parse(capture("sets-maps-jumps"), "inet", "podnet")).isEqualTo(NftRulesetTest.setsMapsJumps().observed());
    }

    @Test
    void aRuleWithoutPodnetsMarkOrAMissingRuleIsADifference() throws Exception {
        String json = capture("masquerade-and-dnat");
        NftObserved want = NftRulesetTest.masqueradeAndDnat().observed();
        String foreign = json.replaceFirst("\"comment\": \"pn:[0-9a-f]{12}", "\"comment\": \"someone else's");
        assertThat(NftListing.parse(foreign, "inet", "podnet")).isNotEqualTo(want);
        NftObserved other = NftListing.parse(json, "inet", "other");
        assertThat(other.isEmpty()).isTrue();
    }

    @Test
    void elementsOfEveryShapeAreCanonical() throws Exception {
        var m = new com.fasterxml.jackson.databind.ObjectMapper();
        assertThat(NftListing.element(m.readTree("{\"prefix\":{\"addr\":\"10.0.0.0\",\"len\":8}}"))).isEqualTo("10.0.0.0/8");
        assertThat(NftListing.element(m.readTree("{\"range\":[\"10.0.0.1\",\"10.0.0.5\"]}"))).isEqualTo("10.0.0.1-10.0.0.5");
        assertThat(NftListing.element(m.readTree("80"))).isEqualTo("80");
        assertThat(NftListing.element(m.readTree("{\"elem\":{\"val\":\"fd00::1\",\"comment\":\"x\"}}"))).isEqualTo("fd00::1");
        assertThat(NftListing.verdict(m.readTree("{\"jump\":{\"target\":\"pn_ep1\"}}"))).isEqualTo("jump pn_ep1");
        assertThat(NftListing.verdict(m.readTree("{\"accept\":null}"))).isEqualTo("accept");
    }
}
