package io.tokenfactory.inference.power;

import java.util.Locale;
import java.util.Optional;

/** What a power cap covers. */
public enum PowerScope {

    /** Every node of the factory. */
    FACTORY,
    /** The nodes declared with the site ({@code tokenfactory.nodes[].site}). */
    SITE,
    /** One node. */
    NODE;

    /** As the API and the database name it. */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<PowerScope> of(String tag) {
        for (PowerScope scope : values()) {
            if (scope.tag().equals(tag)) {
                return Optional.of(scope);
            }
        }
        return Optional.empty();
    }

}
