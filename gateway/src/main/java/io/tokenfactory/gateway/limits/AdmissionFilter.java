package io.tokenfactory.gateway.limits;

import java.util.OptionalLong;

import io.tokenfactory.gateway.GatewayProperties;
import io.tokenfactory.gateway.apikey.ApiKeyView;
import io.tokenfactory.gateway.budget.BudgetAdmission;
import io.tokenfactory.gateway.budget.BudgetGuard;
import io.tokenfactory.gateway.relayed.RelayedTokens;
import io.tokenfactory.gateway.relayed.UsageTap;
import io.tokenfactory.gateway.web.ExchangeTraces;
import io.tokenfactory.gateway.web.ProblemResponses;
import io.tokenfactory.support.tracing.Traces;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;

/**
 * Decides, for every routed request of an authenticated key, whether it may pass: body
 * size (413), requests per minute (429), and for inference also the department's budget
 * (429 {@code budget_exceeded}), the key's allowed models (403) and tokens per minute
 * (429). Inference requests reserve their maximum tokens before they are forwarded and
 * settle to the usage the response reports once it is done; what the response relayed to
 * the client is counted then too ({@link RelayedTokens}).
 */
@Component
class AdmissionFilter implements GlobalFilter, Ordered {

    private final Allowance allowance;

    private final BudgetGuard budgets;

    private final BudgetAdmission money;

    private final RelayedTokens relayed;

    private final GatewayProperties.Limits limits;

    AdmissionFilter(Allowance allowance, BudgetGuard budgets, BudgetAdmission money, RelayedTokens relayed,
            GatewayProperties properties) {
        this.allowance = allowance;
        this.budgets = budgets;
        this.money = money;
        this.relayed = relayed;
        this.limits = properties.limits();
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        ApiKeyView key = exchange.getAttribute(ApiKeyView.EXCHANGE_ATTRIBUTE);
        if (key == null) {
            return chain.filter(exchange);
        }
        ExchangeTraces.tag(exchange, Traces.DEPARTMENT, key.departmentId());
        ServerHttpRequest request = exchange.getRequest();
        if (request.getHeaders().getContentLength() > limits.maxRequestBody().toBytes()) {
            return tooLarge(exchange);
        }
        // decided by the route that matched (on the decoded path), not by the raw path a
        // client can encode
        Route route = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR);
        boolean inference = route != null && INFERENCE_ROUTE.equals(route.getId());
        if (inference && request.getURI().getRawPath().contains("%")) {
            return ProblemResponses.write(exchange, HttpStatus.BAD_REQUEST, "invalid_path", "invalid_request_error",
                    "Encoded characters are not accepted in inference paths");
        }
        if (inference && budgets.blocksInference(key.departmentId())) {
            return budgetRefusal(exchange,
                    "The department has spent its budget for this period (hard cap); inference resumes when billing raises it");
        }
        Mono<Void> admitted = allowance.countRequest(key)
            .doOnNext(headroom -> rateLimitHeaders(exchange, "requests", headroom))
            .then();
        // deferred: assembling the rest of the chain already marks the exchange as routed
        Mono<Void> forwarded = inference && request.getMethod() == HttpMethod.POST
                ? admitted.then(Mono.defer(() -> forwardWithTokenReservation(exchange, chain, key)))
                : admitted.then(Mono.defer(() -> chain.filter(limitBody(exchange))));
        return forwarded
            .onErrorResume(Allowance.LimitExceeded.class,
                    refused -> ProblemResponses.write(exchange, HttpStatus.TOO_MANY_REQUESTS, "rate_limited",
                            "rate_limit_error", refused.getMessage(), refused.retryAfterSeconds()))
            .onErrorResume(Allowance.RequestTooLarge.class,
                    tooBig -> ProblemResponses.write(exchange, HttpStatus.UNPROCESSABLE_CONTENT,
                            "request_exceeds_limit", "invalid_request_error", tooBig.getMessage()))
            .onErrorResume(BudgetAdmission.BudgetRefused.class,
                    refused -> budgetRefusal(exchange, refused.getMessage()))
            .onErrorResume(DataBufferLimitException.class, tooBig -> tooLarge(exchange));
    }

    /**
     * 402: waiting does not help (OpenAI clients retry a 429 on their own), and the type
     * is OpenAI's own for a spent quota.
     */
    private static Mono<Void> budgetRefusal(ServerWebExchange exchange, String detail) {
        return ProblemResponses.write(exchange, HttpStatus.PAYMENT_REQUIRED, "budget_exceeded", "insufficient_quota",
                detail);
    }

    private Mono<Void> forwardWithTokenReservation(ServerWebExchange exchange, GatewayFilterChain chain,
            ApiKeyView key) {
        int maxBytes = (int) Math.min(Integer.MAX_VALUE, limits.maxRequestBody().toBytes());
        return DataBufferUtils.join(exchange.getRequest().getBody(), maxBytes)
            .map(AdmissionFilter::bytesOf)
            .defaultIfEmpty(new byte[0])
            .flatMap(body -> {
                InferenceRequestShape shape;
                try {
                    shape = InferenceRequestShape.parse(body);
                }
                catch (InferenceRequestShape.Invalid invalid) {
                    return ProblemResponses.write(exchange, HttpStatus.BAD_REQUEST, "invalid_value",
                            "invalid_request_error", invalid.getMessage(), null, invalid.param());
                }
                boolean restricted = !key.allowedModels().isEmpty();
                if (restricted && (shape == null || shape.model() == null || !key.allowsModel(shape.model()))) {
                    return ProblemResponses.write(exchange, HttpStatus.FORBIDDEN, "model_not_allowed",
                            "permission_error", "This API key may only use " + key.allowedModels()
                                    + (shape == null || shape.model() == null ? "; name one as 'model'" : ""));
                }
                boolean generates = generates(exchange.getRequest().getPath().value());
                long tokens = shape == null ? 0 : shape.reservation(limits.defaultCompletionReservation(), generates);
                long prompt = shape == null ? 0 : shape.promptTokenEstimate();
                String model = shape == null ? null : shape.model();
                ExchangeTraces.tag(exchange, Traces.MODEL, model);
                return allowance.enter(key)
                    .flatMap(slot -> allowance.reserveTokens(key, tokens)
                        .flatMap(reservation -> money
                            .reserve(key, model, prompt, shape == null ? null : shape.maxCompletionTokens(), generates,
                                    limits.defaultCompletionReservation())
                            // refused by a budget: the tokens taken are given back
                            .onErrorResume(BudgetAdmission.BudgetRefused.class,
                                    refused -> allowance.settle(reservation, 0).then(Mono.error(refused)))
                            .map(hold -> {
                                rateLimitHeaders(exchange, "tokens", reservation.headroom());
                                return new Admitted(slot, reservation, hold);
                            }))
                        // refused by a limit or a budget: the slot is given back
                        .onErrorResume(refused -> allowance.leave(slot).then(Mono.error(refused))))
                    .flatMap(admitted -> {
                        UsageTap usage = new UsageTap(exchange.getResponse());
                        ServerWebExchange replayed = exchange.mutate()
                            .request(replay(exchange.getRequest(), body))
                            .response(usage)
                            .build();
                        return chain.filter(replayed).doFinally(signal -> {
                            relayed.record(key.departmentId(), model, usage);
                            Allowance.Reservation reservation = admitted.reservation();
                            allowance
                                .settle(reservation,
                                        actualTokens(reservation.tokens(), usage.totalTokens(), usage.getStatusCode(),
                                                signal))
                                .then(allowance.leave(admitted.slot()))
                                .subscribe();
                            UsageTap.Relayed used = refusedUpstream(usage.getStatusCode(), signal)
                                    ? new UsageTap.Relayed(0, 0) : usage.relayed();
                            money
                                .settle(admitted.hold(), used.promptTokens() < 0 ? prompt : used.promptTokens(),
                                        used.completionTokens())
                                .subscribe();
                        });
                    });
            });
    }

    /**
     * OpenAI's {@code x-ratelimit-limit-*}, {@code -remaining-*} and {@code -reset-*}
     * headers for requests or tokens, from the tightest limit that applied (none where no
     * limit applies); set before the response starts, upstream's headers come beside
     * them.
     */
    private static void rateLimitHeaders(ServerWebExchange exchange, String what, Allowance.Headroom headroom) {
        if (!headroom.applies()) {
            return;
        }
        HttpHeaders headers = exchange.getResponse().getHeaders();
        headers.set("x-ratelimit-limit-" + what, Long.toString(headroom.limit()));
        headers.set("x-ratelimit-remaining-" + what, Long.toString(headroom.remaining()));
        headers.set("x-ratelimit-reset-" + what, headroom.reset());
    }

    /** What an admitted request holds until it ends. */
    private record Admitted(Allowance.Slot slot, Allowance.Reservation reservation, BudgetAdmission.Hold hold) {
    }

    /** An error answered in full: nothing was served, so nothing is charged. */
    private static boolean refusedUpstream(HttpStatusCode status, SignalType signal) {
        return signal == SignalType.ON_COMPLETE && status != null && status.isError();
    }

    /**
     * What the request really used: the usage its response reported; nothing for a
     * refused request; the whole reservation when no usage is known (a cancelled stream),
     * erring on the side of the limit.
     */
    static long actualTokens(long reserved, OptionalLong reported, HttpStatusCode status, SignalType signal) {
        if (reported.isPresent()) {
            return reported.getAsLong();
        }
        if (signal == SignalType.ON_COMPLETE && status != null && status.isError()) {
            return 0;
        }
        return reserved;
    }

    /**
     * Bounds a streamed body too (no Content-Length): past the limit the request fails
     * with 413.
     */
    private ServerWebExchange limitBody(ServerWebExchange exchange) {
        long max = limits.maxRequestBody().toBytes();
        ServerHttpRequest request = exchange.getRequest();
        return exchange.mutate().request(new ServerHttpRequestDecorator(request) {
            @Override
            public Flux<DataBuffer> getBody() {
                long[] seen = new long[1];
                return super.getBody().map(buffer -> {
                    seen[0] += buffer.readableByteCount();
                    if (seen[0] > max) {
                        DataBufferUtils.release(buffer);
                        throw new DataBufferLimitException("request body over " + max + " bytes");
                    }
                    return buffer;
                });
            }
        }).build();
    }

    /**
     * Whether a request to this path generates tokens, so it reserves its completion too
     * (embeddings do not).
     */
    static boolean generates(String path) {
        return path.endsWith("/chat/completions") || path.endsWith("/completions");
    }

    private static ServerHttpRequest replay(ServerHttpRequest request, byte[] body) {
        return new ServerHttpRequestDecorator(request) {
            @Override
            public Flux<DataBuffer> getBody() {
                return Flux.defer(() -> Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(body)));
            }

            @Override
            public HttpHeaders getHeaders() {
                HttpHeaders headers = new HttpHeaders();
                headers.putAll(super.getHeaders());
                headers.remove(HttpHeaders.TRANSFER_ENCODING);
                headers.setContentLength(body.length);
                return headers;
            }
        };
    }

    private static byte[] bytesOf(DataBuffer buffer) {
        byte[] bytes = new byte[buffer.readableByteCount()];
        buffer.read(bytes);
        DataBufferUtils.release(buffer);
        return bytes;
    }

    private Mono<Void> tooLarge(ServerWebExchange exchange) {
        return ProblemResponses.write(exchange, HttpStatus.CONTENT_TOO_LARGE, "payload_too_large",
                "invalid_request_error", "The request body exceeds " + limits.maxRequestBody());
    }

    static final String INFERENCE_ROUTE = "inference-service";

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 200;
    }

}
