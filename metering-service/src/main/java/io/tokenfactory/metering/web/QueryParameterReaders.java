package io.tokenfactory.metering.web;

import java.time.Instant;
import java.util.UUID;

import io.tokenfactory.contracts.EnergySource;
import io.tokenfactory.support.problem.ParameterReader;
import io.tokenfactory.support.problem.QueryParameters;

import org.springframework.web.bind.WebDataBinder;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.InitBinder;

/**
 * How every read's parameter records read the types they share: instants, UUIDs and
 * energy sources.
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
        binder.registerCustomEditor(UUID.class, new ParameterReader<>(QueryParameters::uuid));
        binder.registerCustomEditor(EnergySource.class, new ParameterReader<>(
                (name, value) -> RequestParameters.option(name, value, EnergySource.class, null)));
    }

}
