/**
 * The audit trail: who changed what, when, from where, before and after; append-only.
 */
@NullMarked
package io.tokenfactory.support.audit;

import org.jspecify.annotations.NullMarked;
