package io.tokenfactory.system.soak;

/**
 * The faults a soak injects, in the order it cycles through them (one kind of service or
 * server after another, so each fault meets a suite recovered from a different one).
 */
enum Fault {

    KILL_INFERENCE_MID_STREAM("inference-service killed (SIGKILL) mid-stream and started again", false),
    KILL_METERING("metering-service killed (SIGKILL) and started again", false),
    REPLAY_EVENTS("events already delivered sent again by inference's and metering's outboxes", false),
    KILL_GATEWAY_MID_STREAM("gateway killed (SIGKILL) with streams in flight and started again", true),
    LATE_USAGE("usage of the closed month reported late by a remote inference node", false),
    RESTART_DATABASE("PostgreSQL restarted (pg_ctl restart -m fast)", false),
    STOP_BILLING("billing-service stopped gracefully (SIGTERM) and started again", false),
    TERMINATE_DATABASE_SESSIONS("every PostgreSQL session of the services ended (pg_terminate_backend)", false),
    STOP_INFERENCE_MID_STREAM("inference-service stopped gracefully (SIGTERM) mid-stream and started again", false),
    DROP_BROKER_CONNECTIONS("every broker connection of the services closed by the broker", false),
    KILL_BILLING("billing-service killed (SIGKILL) and started again", false),
    READ_ONLY_DATABASE("the services' databases read-only for a few seconds (default_transaction_read_only)", false),
    STOP_GATEWAY_MID_STREAM("gateway stopped gracefully (SIGTERM) with streams in flight and started again", true),
    RESTART_BROKER("the broker stopped and started again", false),
    CRASH_DATABASE("PostgreSQL crashed and started again (pg_ctl restart -m immediate: crash recovery)", false),
    STOP_METERING("metering-service stopped gracefully (SIGTERM) and started again", false);

    final String description;

    /**
     * Whether the fault cuts streams between inference and the client: what inference
     * sent and the client never received is billed, so billed may exceed what the client
     * counted (elsewhere the two must be equal).
     */
    final boolean cutsTheRelay;

    Fault(String description, boolean cutsTheRelay) {
        this.description = description;
        this.cutsTheRelay = cutsTheRelay;
    }

}
