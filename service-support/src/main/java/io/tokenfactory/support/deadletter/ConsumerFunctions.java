package io.tokenfactory.support.deadletter;

import java.util.Map;
import java.util.function.Function;

import io.tokenfactory.support.events.EventProducers;
import io.tokenfactory.support.problem.ApiProblemException;

import org.springframework.cloud.function.context.FunctionCatalog;
import org.springframework.cloud.stream.config.BindingProperties;
import org.springframework.cloud.stream.config.BindingServiceProperties;
import org.springframework.messaging.Message;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;

/**
 * The service's consumer functions by the destination and group they are bound to, for a
 * replay that hands a dead letter straight to its consumer. The function is looked up in
 * Spring Cloud Function's catalog, so the message is converted to the consumer's type as
 * the binder would.
 */
public class ConsumerFunctions {

    private final BindingServiceProperties bindings;

    private final FunctionCatalog functions;

    public ConsumerFunctions(BindingServiceProperties bindings, FunctionCatalog functions) {
        this.bindings = bindings;
        this.functions = functions;
    }

    /**
     * The consumer bound to this destination and group, or a 409 when none runs here any
     * more.
     */
    Function<Message<byte[]>, ?> consumer(String destination, String group) {
        String binding = bindings.getBindings()
            .entrySet()
            .stream()
            .filter(entry -> isInput(entry.getKey()) && bound(entry.getValue(), destination, group))
            .map(Map.Entry::getKey)
            .findFirst()
            .orElseThrow(() -> ApiProblemException.conflict("dead_letter_unbound",
                    "No consumer of " + destination + " for group " + group + " runs in this service any more"));
        Function<Message<byte[]>, ?> consumer = functions.lookup(binding.substring(0, binding.lastIndexOf("-in-")));
        if (consumer == null) {
            throw ApiProblemException.conflict("dead_letter_unbound",
                    "The consumer bound as " + binding + " does not run in this service any more");
        }
        return consumer;
    }

    /**
     * Runs the consumer on the message as if the broker had delivered it: outside the
     * administrator's request, so what the consumer records is the service's doing, not
     * the administrator's.
     */
    static void deliver(Function<Message<byte[]>, ?> consumer, Message<byte[]> message) {
        SecurityContext security = SecurityContextHolder.getContext();
        RequestAttributes request = RequestContextHolder.getRequestAttributes();
        SecurityContextHolder.clearContext();
        RequestContextHolder.resetRequestAttributes();
        try {
            EventProducers.replaying(() -> consumer.apply(message));
        }
        finally {
            SecurityContextHolder.setContext(security);
            RequestContextHolder.setRequestAttributes(request);
        }
    }

    private static boolean isInput(String binding) {
        return binding.matches(".+-in-\\d+");
    }

    private static boolean bound(BindingProperties binding, String destination, String group) {
        return destination.equals(binding.getDestination()) && group.equals(binding.getGroup());
    }

}
