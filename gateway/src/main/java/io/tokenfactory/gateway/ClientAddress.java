package io.tokenfactory.gateway;

import java.net.InetSocketAddress;

import org.jspecify.annotations.Nullable;
import org.springframework.web.server.ServerWebExchange;

/**
 * The client's address: the connection's, or the forwarded one behind a proxy when
 * {@code TF_FORWARD_HEADERS_STRATEGY=native} says so.
 */
public final class ClientAddress {

    private ClientAddress() {
    }

    public static @Nullable String of(ServerWebExchange exchange) {
        InetSocketAddress remote = exchange.getRequest().getRemoteAddress();
        return remote == null || remote.getAddress() == null ? null : remote.getAddress().getHostAddress();
    }

}
