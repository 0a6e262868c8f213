package io.tokenfactory.inference.fairshare;

import java.util.Locale;

import io.tokenfactory.support.security.IdentityClaims;

import org.jspecify.annotations.Nullable;

/**
 * A request's priority class, from its key ({@link IdentityClaims#PRIORITY} in the
 * identity token): within a department, interactive work is admitted ahead of batch work.
 */
public enum Priority {

    INTERACTIVE, BATCH;

    /** The claim's class; absent or unknown: interactive. */
    public static Priority of(@Nullable String claim) {
        return IdentityClaims.PRIORITY_BATCH.equals(claim) ? BATCH : INTERACTIVE;
    }

    /** As the claim and the metrics name it. */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }

}
