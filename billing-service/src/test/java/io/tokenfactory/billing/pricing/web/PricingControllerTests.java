package io.tokenfactory.billing.pricing.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.BDDMockito.given;
import static org.mockito.BDDMockito.then;
import static org.mockito.Mockito.never;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.tokenfactory.billing.pricing.PriceBook;
import io.tokenfactory.billing.pricing.PriceBook.RateCard;
import io.tokenfactory.billing.security.BillingWebSlice;
import io.tokenfactory.testsupport.MockedIdentityTokens;
import io.tokenfactory.support.problem.ApiProblemException;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.test.web.servlet.assertj.MockMvcTester;

/**
 * The price book's admin API validates what it is sent and answers every refusal as a
 * problem detail.
 */
@BillingWebSlice
class PricingControllerTests {

    @Autowired
    MockMvcTester mvc;

    @Autowired
    PriceBook prices;

    @Autowired
    JwtDecoder decoder;

    private MockedIdentityTokens tokens;

    @BeforeEach
    void tokens() {
        tokens = new MockedIdentityTokens(decoder);
    }

    @Test
    void aRateCardWithoutAnEmbeddingPriceHasAnEmbeddingPriceOfZero() {
        RateCard card = new RateCard(UUID.randomUUID(), "llama", Instant.parse("2030-01-01T00:00:00Z"),
                new BigDecimal("0.5"), new BigDecimal("1.5"), BigDecimal.ZERO, Instant.parse("2026-01-01T00:00:00Z"));
        given(prices.addRateCard("llama", Instant.parse("2030-01-01T00:00:00Z"), new BigDecimal("0.50"),
                new BigDecimal("1.50"), BigDecimal.ZERO))
            .willReturn(card);

        assertThat(mvc.post()
            .uri("/api/billing/rate-cards")
            .header(HttpHeaders.AUTHORIZATION, tokens.admin())
            .contentType(MediaType.APPLICATION_JSON)
            .content("""
                    {"model": "llama", "effectiveFrom": "2030-01-01T00:00:00Z", "promptPerMillion": "0.50",
                     "completionPerMillion": "1.50"}""")).hasStatus(HttpStatus.CREATED)
            .hasHeader(HttpHeaders.LOCATION, "/api/billing/rate-cards?model=llama");
    }

    @Test
    void invalidFieldsAreListedInOneProblem() {
        assertThat(mvc.post()
            .uri("/api/billing/rate-cards")
            .header(HttpHeaders.AUTHORIZATION, tokens.admin())
            .contentType(MediaType.APPLICATION_JSON)
            .content("""
                    {"model": " ", "promptPerMillion": "-1", "completionPerMillion": "0.1234567"}"""))
            .hasStatus(HttpStatus.BAD_REQUEST)
            .hasContentType(MediaType.APPLICATION_PROBLEM_JSON)
            .bodyJson()
            .satisfies(body -> {
                assertThat(body).extractingPath("$.code").isEqualTo("validation_failed");
                assertThat(body).extractingPath("$.detail").isEqualTo("3 field(s) are invalid");
                assertThat(body).extractingPath("$.errors[*].field")
                    .asArray()
                    .containsExactlyInAnyOrder("model", "promptPerMillion", "completionPerMillion");
            });
        then(prices).should(never()).addRateCard(any(), any(), any(), any(), any());
    }

    @Test
    void aBodyThatIsNotJsonIsAMalformedBody() {
        assertThat(mvc.post()
            .uri("/api/billing/energy-tariffs")
            .header(HttpHeaders.AUTHORIZATION, tokens.admin())
            .contentType(MediaType.APPLICATION_JSON)
            .content("{\"pricePerKwh\": ")).hasStatus(HttpStatus.BAD_REQUEST)
            .bodyJson()
            .extractingPath("$.code")
            .isEqualTo("malformed_body");
        assertThat(mvc.post()
            .uri("/api/billing/models")
            .header(HttpHeaders.AUTHORIZATION, tokens.admin())
            .contentType(MediaType.APPLICATION_JSON)
            .content("{\"name\": \"x\", \"task\": \"DANCING\"}")).hasStatus(HttpStatus.BAD_REQUEST)
            .bodyJson()
            .extractingPath("$.code")
            .isEqualTo("malformed_body");
    }

    @Test
    void theServicesRefusalsPassThroughAsProblems() {
        given(prices.addTariff(any(), any(), any()))
            .willThrow(ApiProblemException.unprocessable("overlapping_bands", "time-of-use bands overlap"));

        assertThat(mvc.post()
            .uri("/api/billing/energy-tariffs")
            .header(HttpHeaders.AUTHORIZATION, tokens.admin())
            .contentType(MediaType.APPLICATION_JSON)
            .content("""
                    {"pricePerKwh": "0.3", "bands": [{"startsAt": "22:00", "endsAt": "06:00", "pricePerKwh": "0.1"},
                     {"startsAt": "05:00", "endsAt": "07:00", "pricePerKwh": "0.2"}]}"""))
            .hasStatus(HttpStatus.UNPROCESSABLE_CONTENT)
            .bodyJson()
            .extractingPath("$.code")
            .isEqualTo("overlapping_bands");
    }

    @Test
    void everyCallerReadsPricesButOnlyAnAdministratorChangesThem() {
        given(prices.rateCards(null)).willReturn(List.of());
        String department = tokens.department(UUID.randomUUID(), "billing:read");

        assertThat(mvc.get().uri("/api/billing/rate-cards?model= ").header(HttpHeaders.AUTHORIZATION, department))
            .hasStatusOk();
        then(prices).should().rateCards(null);
        assertThat(mvc.post()
            .uri("/api/billing/models")
            .header(HttpHeaders.AUTHORIZATION, department)
            .contentType(MediaType.APPLICATION_JSON)
            .content("{\"name\": \"sneaky\", \"task\": \"GENERATION\"}")).hasStatus(HttpStatus.FORBIDDEN)
            .bodyJson()
            .extractingPath("$.code")
            .isEqualTo("forbidden");
        assertThat(mvc.get().uri("/api/billing/rate-cards")).hasStatus(HttpStatus.UNAUTHORIZED);
    }

    @Test
    void aNodeNameLongerThanTwoHundredCharactersIsRefused() {
        assertThat(mvc.put()
            .uri("/api/billing/nodes/" + "n".repeat(201))
            .header(HttpHeaders.AUTHORIZATION, tokens.admin())
            .contentType(MediaType.APPLICATION_JSON)
            .content("{\"nodeClass\": \"h100\"}")).hasStatus(HttpStatus.BAD_REQUEST)
            .bodyJson()
            .extractingPath("$.detail")
            .isEqualTo("a node name has at most 200 characters");
        then(prices).should(never()).assignNode(any(), any());
    }

}
