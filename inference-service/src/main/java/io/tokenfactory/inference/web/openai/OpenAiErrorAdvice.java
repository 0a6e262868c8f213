package io.tokenfactory.inference.web.openai;

import java.util.Map;

import io.tokenfactory.inference.fairshare.AdmissionRefusedException;
import io.tokenfactory.inference.power.PowerCapReached;
import io.tokenfactory.inference.serving.OpenAiException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.async.AsyncRequestNotUsableException;
import org.springframework.web.context.request.async.AsyncRequestTimeoutException;

/**
 * The OpenAI-compatible endpoints answer errors in OpenAI's shape; the rest of the
 * service uses problem details.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
@RestControllerAdvice(
        assignableTypes = { ModelsController.class, GenerationController.class, EmbeddingsController.class })
class OpenAiErrorAdvice {

    private static final Logger log = LoggerFactory.getLogger(OpenAiErrorAdvice.class);

    @ExceptionHandler(OpenAiException.class)
    ResponseEntity<Map<String, Object>> openAi(OpenAiException e) {
        return error(e);
    }

    @ExceptionHandler(AdmissionRefusedException.class)
    ResponseEntity<Map<String, Object>> busy(AdmissionRefusedException e) {
        return error(OpenAiException.busy(e.getMessage(), e.retryAfterSeconds()));
    }

    @ExceptionHandler(PowerCapReached.class)
    ResponseEntity<Map<String, Object>> powerCap(PowerCapReached e) {
        return error(new OpenAiException(HttpStatus.TOO_MANY_REQUESTS, "rate_limit_exceeded", null, "power_cap",
                e.getMessage(), e.retryAfterSeconds()));
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<Map<String, Object>> unreadable(HttpMessageNotReadableException e) {
        return error(OpenAiException.invalid(null, "invalid_json",
                "We could not parse the JSON body of your request. Expected a JSON object."));
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<Map<String, Object>> mediaType(HttpMediaTypeNotSupportedException e) {
        return error(new OpenAiException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "invalid_request_error", null,
                "unsupported_media_type", "Send the request body as application/json.", null));
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<Map<String, Object>> method(HttpRequestMethodNotSupportedException e) {
        return error(new OpenAiException(HttpStatus.METHOD_NOT_ALLOWED, "invalid_request_error", null,
                "method_not_allowed", "Method " + e.getMethod() + " is not allowed here.", null));
    }

    /**
     * A whole response that took longer than the stream timeout; the generation is
     * cancelled and its usage kept.
     */
    @ExceptionHandler(AsyncRequestTimeoutException.class)
    ResponseEntity<Map<String, Object>> timeout(AsyncRequestTimeoutException e) {
        return error(new OpenAiException(HttpStatus.GATEWAY_TIMEOUT, "server_error", null, "timeout",
                "The request took longer than this server allows and was cancelled.", null));
    }

    /**
     * The client went away mid-stream: nobody is left to answer, and its usage is
     * recorded by the stream's end.
     */
    @ExceptionHandler(AsyncRequestNotUsableException.class)
    void clientGone(AsyncRequestNotUsableException e) {
        log.debug("Client disconnected: {}", e.getMessage());
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Map<String, Object>> unexpected(Exception e) {
        log.error("Inference request failed", e);
        return error(new OpenAiException(HttpStatus.INTERNAL_SERVER_ERROR, "server_error", null, "internal_error",
                "The server had an error while processing your request.", null));
    }

    static ResponseEntity<Map<String, Object>> error(OpenAiException e) {
        ResponseEntity.BodyBuilder response = ResponseEntity.status(e.status()).contentType(MediaType.APPLICATION_JSON);
        if (e.retryAfterSeconds() != null) {
            response.header(HttpHeaders.RETRY_AFTER, String.valueOf(e.retryAfterSeconds()));
        }
        return response.body(e.toBody());
    }

}
