package io.tokenfactory.inference.usage.web;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;

import io.tokenfactory.inference.usage.WriteAheadUsage;
import io.tokenfactory.support.problem.ApiProblemException;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * The gateway's word on a stream it relayed until its upstream broke: how many completion
 * tokens the client received. A request still in flight (its replica died) is then closed
 * with no more than that. Administrators and the gateway's own identity only.
 */
@RestController
class ReceivedController {

    /**
     * @param completionTokens the completion tokens the client received
     */
    record ReceivedRequest(@NotNull @PositiveOrZero Long completionTokens) {
    }

    private final WriteAheadUsage writeAhead;

    ReceivedController(WriteAheadUsage writeAhead) {
        this.writeAhead = writeAhead;
    }

    @PostMapping("/api/inference/requests/{requestId}/received")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void received(@PathVariable String requestId, @Valid @RequestBody ReceivedRequest received) {
        if (requestId.length() > 64 || !writeAhead.received(requestId, received.completionTokens())) {
            throw ApiProblemException.notFound("request_not_in_flight",
                    "No request " + requestId + " is in flight: it was logged or closed already");
        }
    }

}
