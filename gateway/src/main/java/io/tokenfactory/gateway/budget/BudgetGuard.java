package io.tokenfactory.gateway.budget;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.tokenfactory.contracts.BudgetStatusChanged;
import io.tokenfactory.contracts.EventTypes;
import io.tokenfactory.support.events.ProcessedEvents;
import io.tokenfactory.support.lifecycle.PeriodicTask;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Knows which departments are over a hard-capped budget and must not start new inference.
 * The hot path reads an in-memory set; billing's reports are stored in this gateway's
 * database, and every replica reloads the set from there every few seconds, so all
 * replicas agree even though only one of them consumes each event.
 */
@Service
public class BudgetGuard extends PeriodicTask {

    private static final Logger log = LoggerFactory.getLogger(BudgetGuard.class);

    private static final Duration RELOAD_INTERVAL = Duration.ofSeconds(5);

    private final DepartmentBudgetRepository budgets;

    private final ProcessedEvents processedEvents;

    private final BudgetBook book;

    private volatile Set<UUID> blocked = ConcurrentHashMap.newKeySet();

    /**
     * Bumped by every change applied here; a reload that started before it must not
     * overwrite it.
     */
    private final AtomicLong changes = new AtomicLong();

    BudgetGuard(DepartmentBudgetRepository budgets, ProcessedEvents processedEvents, BudgetBook book) {
        super("budget-reload", RELOAD_INTERVAL);
        this.budgets = budgets;
        this.processedEvents = processedEvents;
        this.book = book;
    }

    public boolean blocksInference(UUID departmentId) {
        return departmentId != null && blocked.contains(departmentId);
    }

    /**
     * Stores billing's report exactly once and in order; the in-memory set follows after
     * commit.
     */
    @Transactional
    public void apply(BudgetStatusChanged report) {
        if (!processedEvents.markFirstDelivery(report.eventId(), EventTypes.BUDGET_STATUS_CHANGED)) {
            return;
        }
        DepartmentBudget budget = budgets.findById(report.departmentId())
            .orElseGet(() -> new DepartmentBudget(report.departmentId()));
        if (!budget.apply(report)) {
            return;
        }
        budgets.save(budget);
        boolean blocks = budget.blocksInference();
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                changes.incrementAndGet();
                Set<UUID> next = new HashSet<>(blocked);
                if (blocks) {
                    next.add(report.departmentId());
                }
                else {
                    next.remove(report.departmentId());
                }
                blocked = Set.copyOf(next);
                // a budget just set or changed holds at the door at once, not at the
                // next refresh
                book.reloadNow();
            }
        });
    }

    @Override
    protected void beforeFirstRun() {
        runOnce();
    }

    @Override
    protected void runOnce() {
        try {
            long before = changes.get();
            Set<UUID> loaded = Set.copyOf(budgets.findBlockedDepartments());
            if (changes.get() == before) {
                blocked = loaded;
            }
        }
        catch (RuntimeException e) {
            log.warn("Could not reload budget states; keeping the last known ones: {}", e.getMessage());
        }
    }

}
