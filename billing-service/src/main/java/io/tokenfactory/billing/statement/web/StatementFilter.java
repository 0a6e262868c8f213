package io.tokenfactory.billing.statement.web;

import java.time.YearMonth;
import java.util.UUID;

/**
 * Which statements to list: of a department and of a month ({@code yyyy-MM}), each
 * optional.
 */
record StatementFilter(UUID department, YearMonth period) {
}
