package io.tokenfactory.inference;

/** What a model does. */
public enum ModelTask {

    /** Text generation: chat completions and completions. */
    GENERATION,
    /** Vectors: embeddings. */
    EMBEDDING

}
