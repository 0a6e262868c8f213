package io.tokenfactory.support.problem;

import java.beans.PropertyEditorSupport;

/**
 * Reads a query parameter into a typed component of a parameter record with the strict
 * reader that reads it by hand elsewhere ({@link QueryParameters}), so the binding
 * refuses exactly what that reader refuses. Blank is absent (null); repeated values
 * arrive as one, joined by commas, as for a text parameter. A refused value fails the
 * binding with a {@link RefusedParameter}, which {@link ProblemDetailsAdvice} answers
 * with the reader's own problem for the parameter's name.
 * <p>
 * An editor (registered per binder in a service's {@code QueryParameterReaders}) rather
 * than a converter: a converter's refusal falls back to Spring's default editors, which
 * accept what the reader refuses (a UUID with spaces around it).
 *
 * @param <T> what the parameter is read as
 */
public final class ParameterReader<T> extends PropertyEditorSupport {

    /** Reads a parameter's value, or throws the 400 problem that names the parameter. */
    @FunctionalInterface
    public interface Read<T> {

        T read(String name, String value);

    }

    private final Read<T> read;

    public ParameterReader(Read<T> read) {
        this.read = read;
    }

    @Override
    public void setAsText(String text) {
        if (text == null || text.isBlank()) {
            setValue(null);
            return;
        }
        try {
            // the binding does not tell an editor the parameter's name: a refusal reads
            // the value again under it
            setValue(read.read("value", text));
        }
        catch (ApiProblemException refused) {
            throw new RefusedParameter(name -> read.read(name, text));
        }
    }

}
