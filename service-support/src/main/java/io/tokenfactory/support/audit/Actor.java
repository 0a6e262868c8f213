package io.tokenfactory.support.audit;

import java.util.Optional;
import java.util.UUID;

import io.tokenfactory.support.security.Caller;
import io.tokenfactory.support.security.IdentityClaims;

import org.jspecify.annotations.Nullable;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * Who did it: an API key (its id), a person signed in through the identity provider, an
 * operator at the machine (a command), or the gateway itself; with their department and
 * the address the request came from.
 */
public record Actor(Kind kind, String id, @Nullable UUID departmentId, @Nullable String address) {

    public enum Kind {

        API_KEY, USER, OPERATOR, SYSTEM

    }

    /** The service on its own (a first start, a retired agent's keys, a timer). */
    public static final Actor SYSTEM = new Actor(Kind.SYSTEM, "system", null, null);

    public static Actor apiKey(UUID keyId, @Nullable UUID departmentId, @Nullable String address) {
        return new Actor(Kind.API_KEY, keyId.toString(), departmentId, address);
    }

    /** A person signed in through the identity provider, by name. */
    public static Actor user(String name, @Nullable UUID departmentId, @Nullable String address) {
        return new Actor(Kind.USER, name, departmentId, address);
    }

    /**
     * The caller of the current request in a service: the key the gateway vouched for,
     * and the client's address as the gateway saw it; the service itself outside a
     * request.
     */
    public static Actor current() {
        Optional<Caller> caller = Caller.find();
        if (caller.isEmpty() || caller.get().keyId() == null) {
            return SYSTEM;
        }
        String address = RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes request
                ? request.getRequest().getHeader(IdentityClaims.CLIENT_ADDRESS_HEADER) : null;
        String person = caller.get().person();
        return person != null ? user(person, caller.get().departmentId(), address)
                : apiKey(caller.get().keyId(), caller.get().departmentId(), address);
    }

    /** An operator's command on the machine, named by the operating system's user. */
    public static Actor operator(String user, String host) {
        return new Actor(Kind.OPERATOR, user, null, host);
    }

}
