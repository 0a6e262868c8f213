package io.tokenfactory.billing.alert;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import io.tokenfactory.billing.statement.PeriodClosed;
import io.tokenfactory.contracts.AgentStateChanged;
import io.tokenfactory.contracts.BudgetState;
import io.tokenfactory.contracts.BudgetStatusChanged;

import org.jspecify.annotations.Nullable;

/**
 * What each alert says: one sentence a person reads in a chat channel, and the figures
 * behind it for a machine.
 */
final class AlertText {

    private AlertText() {
    }

    static AlertKind kindOf(BudgetState state) {
        return switch (state) {
            case OK -> AlertKind.BUDGET_OK;
            case WARNING -> AlertKind.BUDGET_WARNING;
            case EXCEEDED -> AlertKind.BUDGET_EXCEEDED;
        };
    }

    static Alert budget(BudgetStatusChanged report, BudgetState previous, String department) {
        String spent = money(report.spent(), report.currency());
        BigDecimal limit = report.limit();
        String text = switch (report.state()) {
            case WARNING -> department + " has spent " + spent + " of its " + money(limit, report.currency())
                    + " budget for " + report.period() + share(report.spent(), limit) + ": past its warning threshold.";
            case EXCEEDED -> department + " has spent " + spent + " of its " + money(limit, report.currency())
                    + " budget for " + report.period() + share(report.spent(), limit) + ": budget exceeded"
                    + (report.hardCap()
                            ? "; its inference requests are refused until the budget is raised or the month ends."
                            : " (no hard cap: requests go on).");
            case OK -> limit == null
                    ? department + " has no budget limit for " + report.period() + " any more (" + spent + " spent)."
                    : department + " is within its budget for " + report.period() + " again: " + spent + " of "
                            + money(limit, report.currency()) + " spent.";
        };
        Map<String, @Nullable Object> data = new LinkedHashMap<>();
        data.put("departmentId", report.departmentId());
        data.put("departmentName", department);
        data.put("period", report.period());
        data.put("state", report.state().name());
        data.put("previousState", previous.name());
        data.put("spent", report.spent());
        data.put("limit", limit);
        data.put("currency", report.currency());
        data.put("hardCap", report.hardCap());
        return new Alert(report.eventId(), kindOf(report.state()).name(), report.occurredAt(), report.departmentId(),
                text, data);
    }

    static Alert agentPaused(AgentStateChanged changed, String department) {
        String text = "Agent " + shortId(changed.agentId()) + " of " + department
                + " was paused because its department's budget is exceeded; it resumes when the department is"
                + " within its budget again.";
        Map<String, @Nullable Object> data = new LinkedHashMap<>();
        data.put("agentId", changed.agentId());
        data.put("departmentId", changed.departmentId());
        data.put("departmentName", department);
        data.put("from", changed.from());
        data.put("to", changed.to());
        data.put("reason", changed.reason());
        return new Alert(changed.eventId(), AlertKind.AGENT_PAUSED_BY_BUDGET.name(), changed.occurredAt(),
                changed.departmentId(), text, data);
    }

    static Alert statementClosed(PeriodClosed closed, PeriodClosed.ClosedStatement statement, String department) {
        String text = department + "'s statement for " + closed.period() + " is closed: "
                + money(statement.totalCharge(), closed.currency()) + " charged.";
        Map<String, @Nullable Object> data = new LinkedHashMap<>();
        data.put("period", closed.period());
        data.put("departmentId", statement.departmentId());
        data.put("departmentName", department);
        data.put("statementId", statement.statementId());
        data.put("totalCharge", statement.totalCharge());
        data.put("currency", closed.currency());
        // the statement's id: one alert per statement, however often it is raised
        return new Alert(statement.statementId(), AlertKind.MONTH_CLOSED.name(), closed.closedAt(),
                statement.departmentId(), text, data);
    }

    static Alert monthClosed(PeriodClosed closed) {
        int count = closed.statements().size();
        String text = closed.period() + " is closed: " + count + (count == 1 ? " statement, " : " statements, ")
                + money(closed.totalCharge(), closed.currency()) + " charged in all.";
        Map<String, @Nullable Object> data = new LinkedHashMap<>();
        data.put("period", closed.period());
        data.put("statements", count);
        data.put("totalCharge", closed.totalCharge());
        data.put("currency", closed.currency());
        return new Alert(UUID.nameUUIDFromBytes(("month-closed:" + closed.period()).getBytes()),
                AlertKind.MONTH_CLOSED.name(), closed.closedAt(), null, text, data);
    }

    static Alert ping(UUID subscription, java.time.Instant now) {
        Map<String, @Nullable Object> data = new LinkedHashMap<>();
        data.put("subscriptionId", subscription);
        return new Alert(UUID.randomUUID(), Alert.PING, now, null,
                "Test delivery from Token Factory to webhook " + shortId(subscription) + ": it is reachable.", data);
    }

    /**
     * An amount with at least its currency's minor unit, and every digit a budget was
     * given with.
     */
    static String money(@Nullable BigDecimal amount, String currency) {
        if (amount == null) {
            return "no";
        }
        int minor;
        try {
            minor = Math.max(Currency.getInstance(currency).getDefaultFractionDigits(), 0);
        }
        catch (IllegalArgumentException notIso) {
            minor = 2;
        }
        int scale = Math.max(minor, amount.stripTrailingZeros().scale());
        return amount.setScale(scale, RoundingMode.HALF_EVEN).toPlainString() + " " + currency;
    }

    private static String share(BigDecimal spent, @Nullable BigDecimal limit) {
        if (limit == null || limit.signum() <= 0) {
            return "";
        }
        return " (" + spent.multiply(BigDecimal.valueOf(100)).divide(limit, 0, RoundingMode.DOWN) + " %)";
    }

    private static String shortId(UUID id) {
        return id.toString().substring(0, 8);
    }

}
