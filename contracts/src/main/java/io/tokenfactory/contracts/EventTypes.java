package io.tokenfactory.contracts;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The one registry of logical event type names and the records that carry them. */
public final class EventTypes {

    public static final String USAGE_RECORDED = "tokenfactory.usage-recorded.v1";

    public static final String POWER_SAMPLED = "tokenfactory.power-sampled.v1";

    public static final String USAGE_METERED = "tokenfactory.usage-metered.v1";

    public static final String IDLE_ENERGY_ALLOCATED = "tokenfactory.idle-energy-allocated.v1";

    public static final String BUDGET_STATUS_CHANGED = "tokenfactory.budget-status-changed.v1";

    public static final String AGENT_STATE_CHANGED = "tokenfactory.agent-state-changed.v1";

    private static final Map<String, Class<? extends TokenFactoryEvent>> BY_TYPE = new LinkedHashMap<>();

    static {
        BY_TYPE.put(USAGE_RECORDED, UsageRecorded.class);
        BY_TYPE.put(POWER_SAMPLED, PowerSampled.class);
        BY_TYPE.put(USAGE_METERED, UsageMetered.class);
        BY_TYPE.put(IDLE_ENERGY_ALLOCATED, IdleEnergyAllocated.class);
        BY_TYPE.put(BUDGET_STATUS_CHANGED, BudgetStatusChanged.class);
        BY_TYPE.put(AGENT_STATE_CHANGED, AgentStateChanged.class);
    }

    private EventTypes() {
    }

    public static Map<String, Class<? extends TokenFactoryEvent>> all() {
        return Map.copyOf(BY_TYPE);
    }

    public static Optional<Class<? extends TokenFactoryEvent>> recordFor(String type) {
        return Optional.ofNullable(BY_TYPE.get(type));
    }

    static String typeOf(Class<?> recordClass) {
        return BY_TYPE.entrySet()
            .stream()
            .filter(entry -> entry.getValue().equals(recordClass))
            .map(Map.Entry::getKey)
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException(recordClass.getName() + " has no registered event type"));
    }

}
