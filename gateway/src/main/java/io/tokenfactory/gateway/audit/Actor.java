package io.tokenfactory.gateway.audit;

import java.net.InetSocketAddress;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.web.server.ServerWebExchange;

/**
 * Who did it: an API key (its id), a person signed in through the identity provider, an
 * operator at the machine (a command), or the gateway itself; with their department and
 * the address the request came from.
 */
public record Actor(Kind kind, String id, @Nullable UUID departmentId, @Nullable String address) {

    public enum Kind {

        API_KEY, USER, OPERATOR, SYSTEM

    }

    /** The gateway on its own (a first start, a retired agent's keys). */
    public static final Actor SYSTEM = new Actor(Kind.SYSTEM, "gateway", null, null);

    public static Actor apiKey(UUID keyId, @Nullable UUID departmentId, ServerWebExchange exchange) {
        return new Actor(Kind.API_KEY, keyId.toString(), departmentId, addressOf(exchange));
    }

    /** An operator's command on the machine, named by the operating system's user. */
    public static Actor operator(String user, String host) {
        return new Actor(Kind.OPERATOR, user, null, host);
    }

    static @Nullable String addressOf(ServerWebExchange exchange) {
        InetSocketAddress remote = exchange.getRequest().getRemoteAddress();
        return remote == null || remote.getAddress() == null ? null : remote.getAddress().getHostAddress();
    }

}
