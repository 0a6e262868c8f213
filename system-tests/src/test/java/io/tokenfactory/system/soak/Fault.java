package io.tokenfactory.system.soak;

/** The faults a soak injects, in the order it cycles through them. */
enum Fault {

    KILL_METERING("metering-service killed (SIGKILL) and started again", false),
    REPLAY_EVENTS("events already delivered sent again by inference's and metering's outboxes", false),
    LATE_USAGE("usage of the closed month reported late by a remote inference node", false),
    STOP_BILLING("billing-service stopped gracefully (SIGTERM) and started again", false),
    TERMINATE_DATABASE_SESSIONS("every PostgreSQL session of the services ended (pg_terminate_backend)", false),
    DROP_BROKER_CONNECTIONS("every broker connection of the services closed by RabbitMQ", true),
    KILL_BILLING("billing-service killed (SIGKILL) and started again", false),
    RESTART_BROKER_APPLICATION("RabbitMQ's application stopped and started (rabbitmqctl stop_app / start_app)", true),
    STOP_METERING("metering-service stopped gracefully (SIGTERM) and started again", false);

    final String description;

    final boolean needsBrokerAdministration;

    Fault(String description, boolean needsBrokerAdministration) {
        this.description = description;
        this.needsBrokerAdministration = needsBrokerAdministration;
    }

}
