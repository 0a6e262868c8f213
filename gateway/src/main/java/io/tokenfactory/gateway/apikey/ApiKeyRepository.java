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

    /**
     * Whether any key holding {@code admin} was ever issued, revoked and expired ones
     * too.
     */
    @Query(value = "select exists (select 1 from api_key where ' ' || scopes || ' ' like '% admin %')",
            nativeQuery = true)
    boolean existsAnyAdminKey();

    @Query(value = "select exists (select 1 from api_key where ' ' || scopes || ' ' like '% admin %'"
            + " and revoked_at is null and (expires_at is null or expires_at > :now))", nativeQuery = true)
    boolean existsUsableAdminKey(Instant now);

}
