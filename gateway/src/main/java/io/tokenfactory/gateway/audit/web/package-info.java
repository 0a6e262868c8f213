/**
 * {@code /api/audit}: the trail for administrators, filtered, as JSON or CSV.
 */
@NullMarked
package io.tokenfactory.gateway.audit.web;

import org.jspecify.annotations.NullMarked;
