package io.tokenfactory.support.tags;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

import io.tokenfactory.support.problem.ApiProblemException;

import org.jspecify.annotations.Nullable;

import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The rules every cost tag follows wherever it is set (a key at the gateway, an agent in
 * agent-service): {@code team} and {@code project} are always allowed, other keys only
 * when an administrator allows them; keys are short lower-case names, values short
 * printable text. Tags travel with each request's usage to metering and billing.
 */
public final class CostTags {

    public static final String TEAM = "team";

    public static final String PROJECT = "project";

    /** The keys every department may use. */
    public static final Set<String> ALWAYS_ALLOWED = Set.of(TEAM, PROJECT);

    public static final int MAX_TAGS = 10;

    public static final int MAX_VALUE_LENGTH = 100;

    /** A tag key: lower-case letters, digits, '-' and '_', starting with a letter. */
    public static final Pattern KEY = Pattern.compile("[a-z][a-z0-9_-]{0,31}");

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final TypeReference<TreeMap<String, String>> AS_MAP = new TypeReference<>() {
    };

    private CostTags() {
    }

    /**
     * Tags as every service stores them: a JSON object of strings, sorted by key; null
     * for none.
     */
    public static @Nullable String json(Map<String, String> tags) {
        return tags.isEmpty() ? null : JSON.writeValueAsString(new TreeMap<>(tags));
    }

    /** Tags as {@link #json} stored them; none for null or blank. */
    public static Map<String, String> fromJson(@Nullable String json) {
        return json == null || json.isBlank() ? Map.of() : JSON.readValue(json, AS_MAP);
    }

    /**
     * The tags trimmed, sorted by key, checked against the rules and the allowed keys.
     * @param allowedKeys the keys an administrator allows beyond {@link #ALWAYS_ALLOWED}
     * @throws ApiProblemException 422 {@code invalid_tag} or {@code tag_not_allowed}
     */
    public static Map<String, String> checked(@Nullable Map<String, String> tags, Set<String> allowedKeys) {
        Map<String, String> checked = new TreeMap<>();
        if (tags == null) {
            return checked;
        }
        if (tags.size() > MAX_TAGS) {
            throw ApiProblemException.unprocessable("invalid_tag", "At most " + MAX_TAGS + " tags");
        }
        tags.forEach((key, value) -> {
            if (key == null || !KEY.matcher(key).matches()) {
                throw ApiProblemException.unprocessable("invalid_tag", "Tag key '" + key
                        + "' must be lower-case letters, digits, '-' or '_', starting with a letter, at most 32");
            }
            if (!ALWAYS_ALLOWED.contains(key) && !allowedKeys.contains(key)) {
                throw ApiProblemException.unprocessable("tag_not_allowed", "Tag key '" + key
                        + "' is not allowed: team and project always are, others once an administrator allows them "
                        + "(PUT /api/tags/allowed-keys)");
            }
            String text = value == null ? "" : value.strip();
            if (text.isEmpty() || text.length() > MAX_VALUE_LENGTH || text.chars().anyMatch(Character::isISOControl)) {
                throw ApiProblemException.unprocessable("invalid_tag",
                        "Tag '" + key + "' needs a value of 1 to " + MAX_VALUE_LENGTH + " printable characters");
            }
            checked.put(key, text);
        });
        return checked;
    }

}
