package io.tokenfactory.gateway.budget;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.tokenfactory.contracts.BudgetStatusChanged;
import io.tokenfactory.contracts.EventTypes;
import io.tokenfactory.support.events.ProcessedEvents;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Knows which departments are over a hard-capped budget and must not start new inference. The hot path reads an
 * in-memory set; billing's reports are stored in this gateway's database, and every replica reloads the set from
 * there every few seconds, so all replicas agree even though only one of them consumes each event.
 */
@Service
public class BudgetGuard implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(BudgetGuard.class);
    private static final long RELOAD_SECONDS = 5;

    private final DepartmentBudgetRepository budgets;
    private final ProcessedEvents processedEvents;
    private volatile Set<UUID> blocked = ConcurrentHashMap.newKeySet();
    /** Bumped by every change applied here; a reload that started before it must not overwrite it. */
    private final AtomicLong changes = new AtomicLong();
    private ScheduledExecutorService reloader;

    BudgetGuard(DepartmentBudgetRepository budgets, ProcessedEvents processedEvents) {
        this.budgets = budgets;
        this.processedEvents = processedEvents;
    }

    public boolean blocksInference(UUID departmentId) {
        return departmentId != null && blocked.contains(departmentId);
    }

    /** Stores billing's report exactly once and in order; the in-memory set follows after commit. */
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
                } else {
                    next.remove(report.departmentId());
                }
                blocked = Set.copyOf(next);
            }
        });
    }

    void reload() {
        try {
            long before = changes.get();
            Set<UUID> loaded = Set.copyOf(budgets.findBlockedDepartments());
            if (changes.get() == before) {
                blocked = loaded;
            }
        } catch (RuntimeException e) {
            log.warn("Could not reload budget states; keeping the last known ones: {}", e.getMessage());
        }
    }

    @Override
    public synchronized void start() {
        reload();
        reloader = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "budget-reload");
            thread.setDaemon(true);
            return thread;
        });
        reloader.scheduleWithFixedDelay(this::reload, RELOAD_SECONDS, RELOAD_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    public synchronized void stop() {
        if (reloader != null) {
            reloader.shutdownNow();
            reloader = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return reloader != null;
    }
}
