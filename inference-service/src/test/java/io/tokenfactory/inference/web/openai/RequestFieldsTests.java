package io.tokenfactory.inference.web.openai;

import static io.tokenfactory.inference.web.openai.OpenAiErrors.refusal;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Typed reads of an OpenAI request body: each refusal names its parameter, as OpenAI's
 * own API does.
 */
class RequestFieldsTests {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void theBodyMustBeAJsonObject() {
        assertThat(refusal(() -> new RequestFields(json("[1]")))).containsEntry("code", "invalid_json")
            .containsEntry("param", null);
        assertThat(refusal(() -> new RequestFields(null))).containsEntry("code", "invalid_json");
    }

    @Test
    void aRequiredStringIsMissingWhenAbsentOrNullAndInvalidWhenBlankOrNotAString() {
        assertThat(refusal(() -> fields("{}").requiredString("model"))).containsEntry("param", "model")
            .containsEntry("code", "missing_required_parameter")
            .containsEntry("message", "Missing required parameter: 'model'.");
        assertThat(refusal(() -> fields("{\"model\":null}").requiredString("model"))).containsEntry("code",
                "missing_required_parameter");
        assertThat(refusal(() -> fields("{\"model\":\" \"}").requiredString("model")))
            .containsEntry("code", "invalid_value")
            .containsEntry("message", "'model' must be a non-empty string.");
        assertThat(refusal(() -> fields("{\"model\":7}").requiredString("model"))).containsEntry("code",
                "invalid_value");
        assertThat(fields("{\"model\":\"m\"}").requiredString("model")).isEqualTo("m");
    }

    @Test
    void aBooleanIsTrueOrFalseNeverAStringAndAbsentMeansTheDefault() {
        assertThat(fields("{\"stream\":true}").bool("stream", false)).isTrue();
        assertThat(fields("{\"stream\":null}").bool("stream", true)).isTrue();
        assertThat(fields("{}").bool("stream", false)).isFalse();
        assertThat(refusal(() -> fields("{\"stream\":\"true\"}").bool("stream", false)))
            .containsEntry("param", "stream")
            .containsEntry("message", "'stream' must be a boolean.");
        assertThat(refusal(() -> fields("{\"stream\":1}").bool("stream", false))).containsEntry("param", "stream");
    }

    @Test
    void anIntegerIsAWholeJsonNumberWithinItsBounds() {
        assertThat(fields("{\"n\":1}").integer("n", 1, 128)).isEqualTo(1);
        assertThat(fields("{\"n\":128}").integer("n", 1, 128)).isEqualTo(128);
        assertThat(fields("{}").integer("n", 1, 128)).isNull();
        for (String invalid : new String[] { "0", "129", "1.5", "\"2\"", "3000000000", "true" }) {
            assertThat(refusal(() -> fields("{\"n\":" + invalid + "}").integer("n", 1, 128))).as(invalid)
                .containsEntry("param", "n")
                .containsEntry("message", "'n' must be an integer from 1 to 128.");
        }
    }

    @Test
    void aSeedIsAnyWholeNumberALongHolds() {
        assertThat(fields("{\"seed\":-9007199254740993}").longValue("seed")).isEqualTo(-9_007_199_254_740_993L);
        assertThat(fields("{\"seed\":null}").longValue("seed")).isNull();
        assertThat(refusal(() -> fields("{\"seed\":1.0}").longValue("seed"))).containsEntry("param", "seed");
        assertThat(refusal(() -> fields("{\"seed\":99999999999999999999}").longValue("seed"))).containsEntry("message",
                "'seed' must be an integer.");
    }

    @Test
    void aNumberIsWithinItsRangeWithAnOpenOrClosedLowerBound() {
        assertThat(fields("{\"temperature\":0}").number("temperature", 1.0, 0, 2, false)).isZero();
        assertThat(fields("{\"temperature\":2}").number("temperature", 1.0, 0, 2, false)).isEqualTo(2.0);
        assertThat(fields("{}").number("temperature", 1.0, 0, 2, false)).isEqualTo(1.0);
        assertThat(fields("{\"top_p\":1}").number("top_p", 1.0, 0, 1, true)).isEqualTo(1.0);
        assertThat(refusal(() -> fields("{\"top_p\":0}").number("top_p", 1.0, 0, 1, true))).containsEntry("message",
                "'top_p' must be a number above 0.0 up to 1.0.");
        assertThat(refusal(() -> fields("{\"temperature\":2.01}").number("temperature", 1.0, 0, 2, false)))
            .containsEntry("message", "'temperature' must be a number from 0.0 to 2.0.");
        assertThat(refusal(() -> fields("{\"temperature\":\"hot\"}").number("temperature", 1.0, 0, 2, false)))
            .containsEntry("param", "temperature");
    }

    @Test
    void stopIsAStringOrUpToFourNonEmptyStrings() {
        assertThat(fields("{\"stop\":\"\\n\"}").stops()).containsExactly("\n");
        assertThat(fields("{\"stop\":[\"a\",\"b\",\"c\",\"d\"]}").stops()).containsExactly("a", "b", "c", "d");
        assertThat(fields("{}").stops()).isEmpty();
        assertThat(fields("{\"stop\":[]}").stops()).isEmpty();
        String shape = "'stop' must be a string or an array of up to 4 strings.";
        assertThat(refusal(() -> fields("{\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}").stops())).containsEntry("message",
                shape);
        assertThat(refusal(() -> fields("{\"stop\":[\"a\",1]}").stops())).containsEntry("message", shape);
        assertThat(refusal(() -> fields("{\"stop\":7}").stops())).containsEntry("message", shape);
        assertThat(refusal(() -> fields("{\"stop\":[\"a\",\"\"]}").stops())).containsEntry("message",
                "Stop sequences must not be empty.");
        assertThat(refusal(() -> fields("{\"stop\":\"\"}").stops())).containsEntry("param", "stop");
    }

    @Test
    void messageContentIsAStringOrTextPartsJoinedAndNothingElse() {
        assertThat(RequestFields.contentText(json("\"Hello\""), "p")).isEqualTo("Hello");
        assertThat(RequestFields
            .contentText(json("[{\"type\":\"text\",\"text\":\"Hel\"},{\"type\":\"text\"," + "\"text\":\"lo\"}]"), "p"))
            .isEqualTo("Hello");
        assertThat(RequestFields.contentText(null, "p")).isEmpty();
        assertThat(RequestFields.contentText(json("null"), "p")).isEmpty();
        assertThat(refusal(() -> RequestFields.contentText(json("[{\"type\":\"image_url\",\"image_url\":{}}]"),
                "messages[0].content")))
            .containsEntry("param", "messages[0].content")
            .containsEntry("message", "Only text content parts are supported by this model.");
        assertThat(refusal(() -> RequestFields.contentText(json("{\"text\":\"x\"}"), "p"))).containsEntry("message",
                "Message content must be a string or an array of text parts.");
    }

    private static RequestFields fields(String body) {
        return new RequestFields(json(body));
    }

    private static JsonNode json(String text) {
        return JSON.readTree(text);
    }

}
