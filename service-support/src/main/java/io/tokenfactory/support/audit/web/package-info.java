/**
 * A servlet service's audit trail over HTTP ({@code /api/audit}, administrators).
 */
@NullMarked
package io.tokenfactory.support.audit.web;

import org.jspecify.annotations.NullMarked;
