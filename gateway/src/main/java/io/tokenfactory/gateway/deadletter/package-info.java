/**
 * The gateway's own dead letters (its consumers of budget reports and agent states park
 * poison messages in its database) and their admin API at
 * {@code /api/dead-letters/gateway}; the other services' dead letters are routed to them.
 */
@NullMarked
package io.tokenfactory.gateway.deadletter;

import org.jspecify.annotations.NullMarked;
