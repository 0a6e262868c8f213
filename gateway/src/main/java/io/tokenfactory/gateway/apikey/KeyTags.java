package io.tokenfactory.gateway.apikey;

import java.util.Map;
import java.util.TreeMap;

import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** A key's tags as its row keeps them: a JSON object of strings, sorted by key. */
final class KeyTags {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final TypeReference<TreeMap<String, String>> TAGS = new TypeReference<>() {
    };

    private KeyTags() {
    }

    static String write(Map<String, String> tags) {
        return JSON.writeValueAsString(new TreeMap<>(tags));
    }

    static Map<String, String> read(String json) {
        return json == null || json.isBlank() ? Map.of() : JSON.readValue(json, TAGS);
    }

}
