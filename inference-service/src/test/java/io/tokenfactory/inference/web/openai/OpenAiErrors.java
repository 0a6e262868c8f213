package io.tokenfactory.inference.web.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Map;

import io.tokenfactory.inference.serving.OpenAiException;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.springframework.http.HttpStatus;

/**
 * The OpenAI error a request check answers with: its {@code error} object, after checking
 * it is a 400.
 */
final class OpenAiErrors {

    private OpenAiErrors() {
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> refusal(ThrowingCallable check) {
        OpenAiException refused = catchThrowableOfType(OpenAiException.class, check);
        assertThat(refused).as("an OpenAI error").isNotNull();
        assertThat(refused.status()).isEqualTo(HttpStatus.BAD_REQUEST);
        return (Map<String, Object>) refused.toBody().get("error");
    }

}
