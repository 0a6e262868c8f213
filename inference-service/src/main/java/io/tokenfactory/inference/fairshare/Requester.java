package io.tokenfactory.inference.fairshare;

import java.util.UUID;

import io.tokenfactory.support.security.Caller;

/**
 * Whose work waits: the department it is charged to (whose fair share it uses) and its
 * priority class within that department.
 */
public record Requester(UUID department, Priority priority) {

    /**
     * Work of no department (engines driven directly, as the benchmarks and tests do):
     * one share of its own.
     */
    public static final Requester ANONYMOUS = new Requester(new UUID(0, 0), Priority.INTERACTIVE);

    /** The caller's department and priority class, as the gateway vouched for them. */
    public static Requester of(Caller caller) {
        return new Requester(caller.departmentId() == null ? ANONYMOUS.department() : caller.departmentId(),
                Priority.of(caller.priority()));
    }

}
