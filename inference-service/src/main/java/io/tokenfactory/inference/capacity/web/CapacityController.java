package io.tokenfactory.inference.capacity.web;

import java.time.Duration;

import io.tokenfactory.inference.capacity.CapacityView;
import io.tokenfactory.support.problem.ApiProblemException;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The capacity view (administrators): per node and deployment over the last hour
 * ({@code window=1h}, the default) or day ({@code 1d}).
 */
@RestController
class CapacityController {

    private final CapacityView capacity;

    CapacityController(CapacityView capacity) {
        this.capacity = capacity;
    }

    @GetMapping("/api/inference/capacity")
    CapacityView.Capacity capacity(@RequestParam(defaultValue = "1h") String window) {
        Duration span = switch (window) {
            case "1h" -> Duration.ofHours(1);
            case "1d", "24h" -> Duration.ofDays(1);
            default -> throw ApiProblemException.unprocessable("invalid_window",
                    "window is 1h (the last hour) or 1d (the last day), not '" + window + "'");
        };
        return capacity.over(window.equals("24h") ? "1d" : window, span);
    }

}
