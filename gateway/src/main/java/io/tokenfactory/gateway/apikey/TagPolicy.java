package io.tokenfactory.gateway.apikey;

import java.sql.Timestamp;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.tokenfactory.support.audit.Actor;
import io.tokenfactory.support.audit.AuditTrail;
import io.tokenfactory.support.problem.ApiProblemException;
import io.tokenfactory.support.tags.CostTags;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Which cost tag keys keys and agents may carry: {@code team} and {@code project} always,
 * others once an administrator allows them. Removing a key from the list does not strip
 * it from keys that carry it; they keep it until their tags are next set.
 */
@Service
public class TagPolicy {

    /** What is allowed: always, and by the administrator. */
    public record Allowed(Set<String> alwaysAllowed, Set<String> allowedKeys) {
    }

    private final JdbcTemplate jdbc;

    private final Clock clock;

    private final AuditTrail audit;

    TagPolicy(JdbcTemplate jdbc, Clock clock, AuditTrail audit) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.audit = audit;
    }

    @Transactional(readOnly = true)
    public Allowed allowed() {
        return new Allowed(new TreeSet<>(CostTags.ALWAYS_ALLOWED),
                new TreeSet<>(jdbc.queryForList("SELECT tag_key FROM allowed_tag_key", String.class)));
    }

    /**
     * Tags checked against the rules and the allowed keys, trimmed and sorted.
     * @throws ApiProblemException 422 when a tag breaks them
     */
    @Transactional(readOnly = true)
    public Map<String, String> checked(@Nullable Map<String, String> tags) {
        return tags == null || tags.isEmpty() ? Map.of() : CostTags.checked(tags, allowed().allowedKeys());
    }

    /** Replaces the allowed keys (beyond team and project). */
    @Transactional
    public Allowed allow(List<String> keys, Actor actor) {
        Set<String> wanted = new TreeSet<>();
        for (String key : keys) {
            if (key == null || !CostTags.KEY.matcher(key).matches()) {
                throw ApiProblemException.unprocessable("invalid_tag", "Tag key '" + key
                        + "' must be lower-case letters, digits, '-' or '_', starting with a letter, at most 32");
            }
            if (!CostTags.ALWAYS_ALLOWED.contains(key)) {
                wanted.add(key);
            }
        }
        if (wanted.size() > 50) {
            throw ApiProblemException.unprocessable("invalid_tag", "At most 50 allowed tag keys");
        }
        Allowed before = allowed();
        jdbc.update("DELETE FROM allowed_tag_key");
        Timestamp now = Timestamp.from(clock.instant());
        wanted.forEach(key -> jdbc.update("INSERT INTO allowed_tag_key (tag_key, added_at) VALUES (?, ?)", key, now));
        Allowed after = allowed();
        audit.record(actor, "tags.allowed-keys-set", "tag-policy", "allowed-keys", null, before, after);
        return after;
    }

}
