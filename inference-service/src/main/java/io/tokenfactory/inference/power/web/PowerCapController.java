package io.tokenfactory.inference.power.web;

import java.time.Instant;
import java.util.List;

import io.tokenfactory.inference.power.PowerCap;
import io.tokenfactory.inference.power.PowerCapSettings;
import io.tokenfactory.inference.power.PowerGovernor;

import org.jspecify.annotations.Nullable;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Power caps (administrators): a budget in watts for the factory, a site or a node; each
 * with the measured draw and what is held against it now.
 */
@RestController
class PowerCapController {

    private final PowerCapSettings settings;

    private final PowerGovernor governor;

    PowerCapController(PowerCapSettings settings, PowerGovernor governor) {
        this.settings = settings;
        this.governor = governor;
    }

    /** A cap as the API shows it. */
    record CapView(String scope, @Nullable String name, double watts, @Nullable Double drawWatts, String state,
            Instant updatedAt, @Nullable String updatedBy) {

        static CapView of(PowerCap cap, @Nullable Double drawWatts, PowerGovernor.State state) {
            return new CapView(cap.scope().tag(), cap.scope().tag().equals("factory") ? null : cap.name(), cap.watts(),
                    drawWatts, state.name(), cap.updatedAt(), cap.updatedBy());
        }
    }

    record DrawView(String scope, @Nullable String name, @Nullable Double drawWatts) {
    }

    /**
     * @param batchReserve the share of each cap batch work leaves to interactive work
     */
    record Caps(double batchReserve, List<CapView> caps, List<DrawView> draw) {
    }

    /** The body of a PUT. */
    record CapRequest(@Nullable Double watts) {
    }

    @GetMapping("/api/inference/power-caps")
    Caps caps() {
        return new Caps(governor.batchReserve(),
                settings.states().stream().map(s -> CapView.of(s.cap(), s.drawWatts(), s.state())).toList(),
                governor.draws().stream().map(d -> new DrawView(d.scope().tag(), d.name(), d.drawWatts())).toList());
    }

    @PutMapping("/api/inference/power-caps/{scope}")
    CapView setUnnamed(@PathVariable String scope, @RequestBody CapRequest body) {
        return view(settings.set(scope, null, body.watts()));
    }

    @PutMapping("/api/inference/power-caps/{scope}/{name}")
    CapView set(@PathVariable String scope, @PathVariable String name, @RequestBody CapRequest body) {
        return view(settings.set(scope, name, body.watts()));
    }

    @DeleteMapping("/api/inference/power-caps/{scope}")
    ResponseEntity<Void> removeUnnamed(@PathVariable String scope) {
        settings.remove(scope, null);
        return ResponseEntity.noContent().build();
    }

    @DeleteMapping("/api/inference/power-caps/{scope}/{name}")
    ResponseEntity<Void> remove(@PathVariable String scope, @PathVariable String name) {
        settings.remove(scope, name);
        return ResponseEntity.noContent().build();
    }

    private CapView view(PowerCap cap) {
        return settings.states()
            .stream()
            .filter(s -> s.cap().scope() == cap.scope() && s.cap().name().equals(cap.name()))
            .findFirst()
            .map(s -> CapView.of(s.cap(), s.drawWatts(), s.state()))
            .orElse(CapView.of(cap, null, PowerGovernor.State.NORMAL));
    }

}
