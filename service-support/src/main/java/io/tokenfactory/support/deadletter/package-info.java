/**
 * Poison messages never stall a queue: every consumer retries transient failures for as
 * long as they last and parks a message that fails for any other reason, after a bounded
 * number of tries, in its service's {@code dead_letter} table with the reason; an
 * administrator lists, inspects, replays and discards dead letters through
 * {@code /api/dead-letters}.
 */
@NullMarked
package io.tokenfactory.support.deadletter;

import org.jspecify.annotations.NullMarked;
