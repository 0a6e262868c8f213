package io.tokenfactory.support.deadletter;

import java.util.Map;

/**
 * One dead letter with everything it carried.
 *
 * @param headers the message's headers, plus the reason ({@code x-exception-fqcn},
 * {@code x-exception-message}) and the tries ({@code x-tokenfactory-tries})
 * @param body the body as text when it is UTF-8, else Base64
 * @param bodyEncoding {@code utf-8} or {@code base64}
 */
public record DeadLetterDetail(DeadLetter deadLetter, Map<String, String> headers, String body, String bodyEncoding) {
}
