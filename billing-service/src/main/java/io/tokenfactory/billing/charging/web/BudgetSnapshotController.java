package io.tokenfactory.billing.charging.web;

import io.tokenfactory.billing.charging.BudgetSnapshot;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Every department's budget and spend this month and the token prices in force, for the
 * gateway's reservations at the door (administrators and the gateway itself).
 */
@RestController
class BudgetSnapshotController {

    private final BudgetSnapshot snapshot;

    BudgetSnapshotController(BudgetSnapshot snapshot) {
        this.snapshot = snapshot;
    }

    @GetMapping("/api/billing/budget-snapshot")
    BudgetSnapshot.Snapshot snapshot() {
        return snapshot.now();
    }

}
