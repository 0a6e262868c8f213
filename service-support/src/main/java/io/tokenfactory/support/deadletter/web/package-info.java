/**
 * The dead-letter admin API of a servlet service ({@code /api/dead-letters}, scope
 * {@code admin}).
 */
@NullMarked
package io.tokenfactory.support.deadletter.web;

import org.jspecify.annotations.NullMarked;
