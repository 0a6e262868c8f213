import java.time.Duration;

import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * The benchmark's stand-in for inference-service and billing-service (Reactor Netty, non-blocking): answers after
 * the delay in ?delay=MS. gateway-overhead.sh runs it on the gateway's own class path.
 */
public class UpstreamStub {

    public static void main(String[] args) throws InterruptedException {
        DisposableServer server = HttpServer.create().host("127.0.0.1").port(Integer.parseInt(args[0]))
                .route(routes -> routes
                        .get("/api/billing/departments/{id}", (request, response) -> answer(request, response, "{\"id\":\"bench\"}"))
                        .post("/v1/chat/completions", (request, response) -> answer(request, response,
                                "{\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                                        + "\"content\":\"ok\"}}],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":16,\"total_tokens\":28}}"))
                        .get("/v1/models", (request, response) -> answer(request, response,
                                "{\"object\":\"list\",\"data\":[{\"id\":\"tf-tiny\",\"object\":\"model\",\"owned_by\":\"token-factory\"}]}")))
                .bindNow();
        System.out.println("upstream stub on " + server.port());
        server.onDispose().block();
    }

    private static Mono<Void> answer(HttpServerRequest request, HttpServerResponse response, String body) {
        String uri = request.uri();
        int at = uri.indexOf("delay=");
        long delay = at < 0 ? 0 : Long.parseLong(uri.substring(at + "delay=".length()).split("&")[0]);
        Mono<String> answer = delay == 0 ? Mono.just(body) : Mono.delay(Duration.ofMillis(delay)).thenReturn(body);
        return request.receive().then(response.header("Content-Type", "application/json").sendString(answer).then());
    }
}
