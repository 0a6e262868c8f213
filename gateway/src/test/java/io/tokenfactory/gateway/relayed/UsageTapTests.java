package io.tokenfactory.gateway.relayed;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.mock.http.server.reactive.MockServerHttpResponse;

import reactor.core.publisher.Flux;

/**
 * The tokens a response reports, read as it passes: whole JSON bodies and server-sent
 * event streams, their usage or, without one, their content chunks.
 */
class UsageTapTests {

    @Test
    void readsTheTotalOfAWholeResponseThatArrivesInPieces() {
        UsageTap tap = tap();

        tap.writeWith(Flux.just(buffer("{\"id\":\"x\",\"choices\":[],\"usage\":{\"prompt_tokens\":12,"),
                buffer("\"completion_tokens\":30,\"total_tokens\":42}}")))
            .block();

        assertThat(tap.totalTokens()).hasValue(42);
    }

    @Test
    void addsPromptAndCompletionTokensWhenTheResponseGivesNoTotal() {
        UsageTap tap = tap();

        tap.writeWith(Flux.just(buffer("{\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":5}}"))).block();

        assertThat(tap.totalTokens()).hasValue(12);
    }

    @Test
    void readsAStreamsUsageChunkEvenWhenItsLineIsSplitAcrossWrites() {
        UsageTap tap = tap();

        tap.writeWith(Flux.just(buffer("data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}],\"usage\":null}\n\n"),
                buffer("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"compl"),
                buffer("etion_tokens\":4,\"total_tokens\":7}}\n\n"), buffer("data: [DONE]\n\n")))
            .block();

        assertThat(tap.totalTokens()).hasValue(7);
    }

    @Test
    void readsAStreamWrittenChunkByChunkWithFlushes() {
        UsageTap tap = tap();

        tap.writeAndFlushWith(Flux.just(Flux.just(buffer("data: {\"choices\":[{\"text\":\"a\"}]}\n\n")),
                Flux.just(buffer("data: {\"choices\":[],\"usage\":{\"total_tokens\":9}}\n\ndata: [DONE]\n\n"))))
            .block();

        assertThat(tap.totalTokens()).hasValue(9);
    }

    @Test
    void aLongStreamIsInspectedLineByLineSoItsLastUsageIsStillRead() {
        UsageTap tap = tap();
        String chunk = "data: {\"choices\":[{\"delta\":{\"content\":\"" + "x".repeat(1_000) + "\"}}]}\n\n";

        tap.writeWith(Flux.range(0, 3_000)
            .map(i -> buffer(chunk))
            .concatWith(Flux.just(buffer("data: {\"choices\":[],\"usage\":{\"total_tokens\":3001}}\n\n")))).block();

        assertThat(tap.totalTokens()).hasValue(3_001);
    }

    @Test
    void aWholeBodyLargerThanTheInspectedCapReportsNothing() {
        UsageTap tap = tap();

        tap.writeWith(Flux.just(buffer("{\"data\":\"" + "x".repeat(1 << 20) + "\","),
                buffer("\"usage\":{\"total_tokens\":5}}")))
            .block();

        assertThat(tap.totalTokens()).isEmpty();
    }

    @Test
    void reportsNothingForAResponseWithoutUsageOrWithUnreadableUsage() {
        UsageTap error = tap();
        error.writeWith(Flux.just(buffer("{\"error\":{\"message\":\"no such model\"}}"))).block();
        UsageTap prose = tap();
        prose.writeWith(Flux.just(buffer("the \"usage\" of this endpoint is documented elsewhere"))).block();
        UsageTap nothing = tap();

        assertThat(error.totalTokens()).isEmpty();
        assertThat(prose.totalTokens()).isEmpty();
        assertThat(nothing.totalTokens()).isEqualTo(OptionalLong.empty());
    }

    @Test
    void passesEveryByteOnToTheClientUnchanged() {
        MockServerHttpResponse client = new MockServerHttpResponse();
        UsageTap tap = new UsageTap(client);

        tap.writeWith(Flux.just(buffer("data: a\n"), buffer("\ndata: [DONE]\n\n"))).block();

        assertThat(client.getBodyAsString().block()).isEqualTo("data: a\n\ndata: [DONE]\n\n");
    }

    @Test
    void countsPromptAndCompletionTokensFromAWholeResponsesUsage() {
        UsageTap tap = tap();

        tap.writeWith(Flux.just(buffer("{\"choices\":[{\"message\":{\"content\":\"say \\\"usage\\\": {}\"}}],"),
                buffer("\"usage\": {\"prompt_tokens\": 12, \"completion_tokens\": 30, \"total_tokens\": 42,"
                        + "\"prompt_tokens_details\":{\"cached_tokens\":4}}}")))
            .block();

        assertThat(tap.relayedPromptTokens()).isEqualTo(12);
        assertThat(tap.relayedCompletionTokens()).isEqualTo(30);
        assertThat(tap.countedByChunks()).isFalse();
    }

    @Test
    void countsTheContentChunksThatWentOutOfAStreamCutShortBeforeItsUsage() {
        UsageTap tap = tap();

        tap.writeAndFlushWith(Flux.just(Flux.just(buffer(chunk("\"role\":\"assistant\",\"content\":\"\"", null))),
                Flux.just(buffer(chunk("\"content\":\"H\"", null))),
                Flux.just(buffer(chunk("\"content\":\"i\"", null))), Flux.just(buffer(chunk("\"content\":null", null))),
                Flux.just(buffer("data: {\"choices\":[{\"text\":\"!\"}],\"usage\":null}\n\n")),
                // the last event never went out whole
                Flux.just(buffer("data: {\"choices\":[{\"delta\":{\"content\":\"x"))))
            .block();

        assertThat(tap.relayedCompletionTokens()).isEqualTo(3);
        assertThat(tap.relayedPromptTokens()).isZero();
        assertThat(tap.countedByChunks()).isTrue();
        assertThat(tap.totalTokens()).isEmpty();
    }

    @Test
    void takesTheLatestCumulativeUsageOfAStreamThatCarriesOneInEveryChunk() {
        UsageTap tap = tap();

        tap.writeWith(Flux.range(1, 4)
            .map(i -> buffer(chunk("\"content\":\"t\"",
                    "{\"prompt_tokens\":5,\"completion_tokens\":" + i + ",\"total_tokens\":" + (5 + i) + "}"))))
            .block();

        assertThat(tap.relayedPromptTokens()).isEqualTo(5);
        assertThat(tap.relayedCompletionTokens()).isEqualTo(4);
        assertThat(tap.countedByChunks()).isFalse();
        assertThat(tap.totalTokens()).hasValue(9);
    }

    @Test
    void aStreamsFinalUsageCountsRatherThanItsChunks() {
        UsageTap tap = tap();

        tap.writeWith(Flux.just(buffer(chunk("\"content\":\"ab\"", null) + chunk("\"content\":\"c\"", null)),
                buffer("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4}}\n\n"
                        + "data: [DONE]\n\n")))
            .block();

        assertThat(tap.relayedPromptTokens()).isEqualTo(3);
        assertThat(tap.relayedCompletionTokens()).isEqualTo(4);
        assertThat(tap.countedByChunks()).isFalse();
    }

    @Test
    void anEmbeddingsUsageHasPromptTokensOnly() {
        UsageTap tap = tap();

        tap.writeWith(Flux.just(buffer("{\"object\":\"list\",\"data\":[{\"embedding\":[0.1]}],"
                + "\"usage\":{\"prompt_tokens\":8,\"total_tokens\":8}}")))
            .block();

        assertThat(tap.relayedPromptTokens()).isEqualTo(8);
        assertThat(tap.relayedCompletionTokens()).isZero();
    }

    private static String chunk(String delta, String usage) {
        return "data: {\"choices\":[{\"index\":0,\"delta\":{" + delta + "}}]"
                + (usage == null ? "" : ",\"usage\":" + usage) + "}\n\n";
    }

    private static UsageTap tap() {
        return new UsageTap(new MockServerHttpResponse());
    }

    private static DataBuffer buffer(String text) {
        return DefaultDataBufferFactory.sharedInstance.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

}
