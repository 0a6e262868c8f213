package io.tokenfactory.gateway.budget;

import static io.tokenfactory.gateway.budget.DepartmentBudgetTests.DEPARTMENT;
import static io.tokenfactory.gateway.budget.DepartmentBudgetTests.report;
import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.tokenfactory.contracts.BudgetState;
import io.tokenfactory.contracts.BudgetStatusChanged;
import io.tokenfactory.contracts.EventTypes;
import io.tokenfactory.support.events.ProcessedEvents;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Which departments may not start inference: billing's reports applied once and in order,
 * the in-memory set changed only after commit, and the periodic reload from the database.
 */
class BudgetGuardTests {

    private static final Instant T0 = Instant.parse("2026-11-05T10:00:00Z");

    private final DepartmentBudgetRepository budgets = mock(DepartmentBudgetRepository.class);

    private final ProcessedEvents processedEvents = mock(ProcessedEvents.class);

    private final BudgetGuard guard = new BudgetGuard(budgets, processedEvents, mock(BudgetBook.class));

    @BeforeEach
    void transaction() {
        TransactionSynchronizationManager.initSynchronization();
        when(processedEvents.markFirstDelivery(any(), eq(EventTypes.BUDGET_STATUS_CHANGED))).thenReturn(true);
        when(budgets.findById(DEPARTMENT)).thenReturn(Optional.empty());
    }

    @AfterEach
    void endTransaction() {
        TransactionSynchronizationManager.clearSynchronization();
    }

    @Test
    void noDepartmentAndAnUnknownOneAreNeverBlocked() {
        assertThat(guard.blocksInference(null)).isFalse();
        assertThat(guard.blocksInference(UUID.randomUUID())).isFalse();
    }

    @Test
    void anExceededHardCapBlocksTheDepartmentOnceTheReportIsCommitted() {
        guard.apply(report(T0, BudgetState.EXCEEDED, true));

        assertThat(guard.blocksInference(DEPARTMENT)).isFalse();
        commit();
        assertThat(guard.blocksInference(DEPARTMENT)).isTrue();
        verify(budgets).save(any(DepartmentBudget.class));
    }

    @Test
    void aLaterReportBelowTheCapUnblocksIt() {
        DepartmentBudget stored = applyAndCommit(report(T0, BudgetState.EXCEEDED, true));
        when(budgets.findById(DEPARTMENT)).thenReturn(Optional.of(stored));

        applyAndCommit(report(T0.plusSeconds(60), BudgetState.OK, true));

        assertThat(guard.blocksInference(DEPARTMENT)).isFalse();
    }

    @Test
    void aRedeliveredReportIsIgnored() {
        when(processedEvents.markFirstDelivery(any(), eq(EventTypes.BUDGET_STATUS_CHANGED))).thenReturn(false);

        guard.apply(report(T0, BudgetState.EXCEEDED, true));

        assertThat(TransactionSynchronizationManager.getSynchronizations()).isEmpty();
        verify(budgets, never()).save(any());
    }

    @Test
    void aReportOlderThanTheStoredOneIsNeitherStoredNorApplied() {
        DepartmentBudget stored = applyAndCommit(report(T0, BudgetState.EXCEEDED, true));
        when(budgets.findById(DEPARTMENT)).thenReturn(Optional.of(stored));

        guard.apply(report(T0.minusSeconds(60), BudgetState.OK, true));

        assertThat(TransactionSynchronizationManager.getSynchronizations()).isEmpty();
        assertThat(guard.blocksInference(DEPARTMENT)).isTrue();
    }

    @Test
    void theReloadTakesTheDatabasesBlockedDepartmentsAndAFailedOneKeepsTheLastKnown() {
        UUID other = UUID.randomUUID();
        when(budgets.findBlockedDepartments()).thenReturn(List.of(other));
        guard.runOnce();
        assertThat(guard.blocksInference(other)).isTrue();

        when(budgets.findBlockedDepartments()).thenThrow(new DataAccessResourceFailureException("database down"));
        guard.runOnce();

        assertThat(guard.blocksInference(other)).isTrue();
    }

    @Test
    void aReloadThatStartedBeforeAChangeWasCommittedDoesNotUndoIt() {
        // the database answers with what it held before this replica committed the report
        when(budgets.findBlockedDepartments()).thenAnswer(reading -> {
            applyAndCommit(report(T0, BudgetState.EXCEEDED, true));
            return List.of();
        });

        guard.runOnce();

        assertThat(guard.blocksInference(DEPARTMENT)).isTrue();
    }

    private DepartmentBudget applyAndCommit(BudgetStatusChanged report) {
        guard.apply(report);
        commit();
        DepartmentBudget applied = new DepartmentBudget(report.departmentId());
        applied.apply(report);
        return applied;
    }

    private static void commit() {
        List<TransactionSynchronization> committed = TransactionSynchronizationManager.getSynchronizations();
        TransactionSynchronizationManager.clearSynchronization();
        TransactionSynchronizationManager.initSynchronization();
        committed.forEach(TransactionSynchronization::afterCommit);
    }

}
