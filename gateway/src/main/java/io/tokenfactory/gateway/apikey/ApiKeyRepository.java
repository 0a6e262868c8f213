package io.tokenfactory.gateway.apikey;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Query;

interface ApiKeyRepository extends JpaRepository<ApiKey, UUID> {

    Optional<ApiKey> findBySecretHash(String secretHash);

    List<ApiKey> findAllByOrderByCreatedAtAsc();

    List<ApiKey> findByDepartmentIdOrderByCreatedAtAsc(UUID departmentId);

    List<ApiKey> findByAgentIdAndRevokedAtIsNull(UUID agentId);

    @Query("select count(k) > 0 from ApiKey k where k.scopes like '%admin%' and k.revokedAt is null "
            + "and (k.expiresAt is null or k.expiresAt > :now)")
    boolean existsUsableAdminKey(Instant now);

}
