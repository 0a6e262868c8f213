package io.tokenfactory.billing.web;

import java.time.Instant;
import java.time.YearMonth;
import java.util.UUID;

import io.tokenfactory.support.problem.ParameterReader;
import io.tokenfactory.support.problem.QueryParameters;

import org.springframework.web.bind.WebDataBinder;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.InitBinder;

/**
 * How parameter records read instants, months and UUIDs: strictly, as
 * {@link QueryParameters} does. Only records: path variables (a statement's or
 * department's id) keep Spring's own conversion and its problem.
 */
@ControllerAdvice
class QueryParameterReaders {

    @InitBinder
    void readStrictly(WebDataBinder binder) {
        // a binder with a target type binds a record; one without converts a single path
        // variable or parameter
        if (binder.getTargetType() == null) {
            return;
        }
        binder.registerCustomEditor(Instant.class, new ParameterReader<>(QueryParameters::instant));
        binder.registerCustomEditor(YearMonth.class, new ParameterReader<>(QueryParameters::month));
        binder.registerCustomEditor(UUID.class, new ParameterReader<>(QueryParameters::uuid));
    }

}
