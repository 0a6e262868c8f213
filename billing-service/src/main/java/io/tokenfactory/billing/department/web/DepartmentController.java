package io.tokenfactory.billing.department.web;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Digits;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import io.tokenfactory.billing.department.BillingMode;
import io.tokenfactory.billing.department.BudgetPolicy;
import io.tokenfactory.billing.department.DepartmentCatalog;
import io.tokenfactory.billing.department.DepartmentView;
import io.tokenfactory.billing.department.PricingMode;
import io.tokenfactory.support.problem.ApiProblemException;
import io.tokenfactory.support.security.Caller;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Admin API for departments: the unit that API keys, agents, usage and charges all belong
 * to.
 */
@RestController
@RequestMapping("/api/billing/departments")
class DepartmentController {

    private final DepartmentCatalog catalog;

    DepartmentController(DepartmentCatalog catalog) {
        this.catalog = catalog;
    }

    @PostMapping
    ResponseEntity<DepartmentResponse> create(@Valid @RequestBody DepartmentRequest request) {
        DepartmentView created = catalog.create(request.name(), request.costCentreCode(), request.policy());
        return ResponseEntity.created(URI.create("/api/billing/departments/" + created.id()))
            .body(DepartmentResponse.of(created));
    }

    @GetMapping
    List<DepartmentResponse> list() {
        return catalog.list().stream().map(DepartmentResponse::of).toList();
    }

    @GetMapping("/{id}")
    DepartmentResponse get(@PathVariable UUID id) {
        if (!Caller.current().mayRead(id)) {
            throw ApiProblemException.forbidden("A key of another department cannot read this department");
        }
        return DepartmentResponse.of(catalog.get(id));
    }

    @PutMapping("/{id}")
    DepartmentResponse update(@PathVariable UUID id, @Valid @RequestBody DepartmentRequest request) {
        return DepartmentResponse.of(catalog.update(id, request.name(), request.costCentreCode(), request.policy()));
    }

    /**
     * A department as written by an administrator; a PUT replaces every field (budget
     * fields left out return to their defaults: no budget, warning at 80 %, no hard cap,
     * list prices, chargeback).
     */
    record DepartmentRequest(@NotBlank @Size(max = 100) String name,
            @NotBlank @Size(max = 32) @Pattern(regexp = "\\s*[A-Za-z0-9][A-Za-z0-9._-]*\\s*",
                    message = "letters, digits, '.', '_' or '-'") String costCentreCode,
            @DecimalMin("0") @Digits(integer = 13, fraction = 6) BigDecimal monthlyBudget,
            @Min(1) @Max(100) Integer softAlertPercent, Boolean hardCap, PricingMode pricingMode,
            @DecimalMin("0") @DecimalMax("1000") @Digits(integer = 4, fraction = 4) BigDecimal marginPercent,
            BillingMode billingMode) {

        BudgetPolicy policy() {
            return new BudgetPolicy(monthlyBudget, softAlertPercent == null ? 80 : softAlertPercent,
                    Boolean.TRUE.equals(hardCap), pricingMode == null ? PricingMode.LIST_PRICE : pricingMode,
                    marginPercent == null ? BigDecimal.ZERO : marginPercent, billingMode);
        }
    }

    record DepartmentResponse(UUID id, String name, String costCentreCode, BigDecimal monthlyBudget,
            int softAlertPercent, boolean hardCap, PricingMode pricingMode, BigDecimal marginPercent,
            BillingMode billingMode, Instant createdAt, Instant updatedAt) {

        static DepartmentResponse of(DepartmentView view) {
            BudgetPolicy policy = view.policy();
            return new DepartmentResponse(view.id(), view.name(), view.costCentreCode(), policy.monthlyBudget(),
                    policy.softAlertPercent(), policy.hardCap(), policy.pricingMode(), policy.marginPercent(),
                    policy.billingMode(), view.createdAt(), view.updatedAt());
        }
    }

}
