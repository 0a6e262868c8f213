package io.tokenfactory.inference.serving;

import java.util.List;
import java.util.Set;
import java.util.UUID;

import io.tokenfactory.inference.ModelBackend;
import io.tokenfactory.inference.ModelSettings;
import io.tokenfactory.inference.ModelTask;
import io.tokenfactory.support.security.Caller;

import tools.jackson.databind.json.JsonMapper;

/** Checked generation requests for the serving rules' tests. */
final class GenerationCalls {

    private GenerationCalls() {
    }

    /**
     * A local model with a 256-token context, at most 200 output tokens and 128 by
     * default.
     */
    static ModelSettings model() {
        return new ModelSettings("byte-lm-moby", ModelTask.GENERATION, ModelBackend.LOCAL, "PyTorch", "cpu",
                "classpath:models/byte-lm-moby/model.tfbt", null, 256, 200, 128, 16, 64, null, java.util.List.of(),
                ModelSettings.RoutingSettings.defaults());
    }

    static GenerationCall call(GenerationCall.Kind kind, Integer maxTokens, boolean stream, boolean includeUsage) {
        return new GenerationCall(kind, "chatcmpl-1", 1_700_000_000L, model(),
                new Caller(UUID.randomUUID(), UUID.randomUUID(), null, Set.of("inference")), null, "Call me Ishmael.",
                maxTokens, 1.0, 1.0, null, List.of(), stream, includeUsage,
                JsonMapper.builder().build().createObjectNode());
    }

}
