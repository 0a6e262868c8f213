package io.tokenfactory.inference.power;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * A power budget: the most the nodes it covers may draw together.
 *
 * @param name the site or node; {@code factory} for the factory
 * @param updatedBy who set it (the administrator's key or person); null when unknown
 */
public record PowerCap(PowerScope scope, String name, double watts, Instant updatedAt, @Nullable String updatedBy) {

    /** How its name reads in a message: "the factory", "site dc-1", "node gpu-a". */
    public String describe() {
        return scope == PowerScope.FACTORY ? "the factory" : scope.tag() + " " + name;
    }

}
