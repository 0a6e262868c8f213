package io.tokenfactory.inference;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** A refused node declaration ends start-up with its one line, not a stack trace. */
class NodeConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<InvalidNodeConfiguration> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InvalidNodeConfiguration cause) {
        return new FailureAnalysis(cause.getMessage(),
                "Correct the node declarations under tokenfactory.nodes (or the model's remote.node); "
                        + "docs/energy.md describes them.",
                cause);
    }

}
