package io.tokenfactory.billing.alert;

import java.util.List;
import java.util.UUID;

import org.springframework.data.jpa.repository.JpaRepository;

interface WebhookSubscriptionRepository extends JpaRepository<WebhookSubscription, UUID> {

    List<WebhookSubscription> findAllByOrderByCreatedAtAsc();

    List<WebhookSubscription> findByDepartmentIdOrderByCreatedAtAsc(UUID departmentId);

}
