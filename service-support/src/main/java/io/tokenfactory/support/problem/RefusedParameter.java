package io.tokenfactory.support.problem;

import java.util.function.Consumer;

/**
 * A query parameter's value that its {@link ParameterReader} refused; it knows the
 * problem to answer.
 */
public final class RefusedParameter extends IllegalArgumentException {

    private final transient Consumer<String> readAs;

    RefusedParameter(Consumer<String> readAs) {
        super("refused by its reader");
        this.readAs = readAs;
    }

    /** The reader's problem for the parameter of this name. */
    public ApiProblemException problemFor(String name) {
        try {
            readAs.accept(name);
        }
        catch (ApiProblemException problem) {
            return problem;
        }
        return QueryParameters.invalid("'" + name + "' has an invalid value");
    }

}
