package io.tokenfactory.inference;

/** Where a model runs. */
public enum ModelBackend {

    /** In this process, on DJL. */
    LOCAL,
    /** On an OpenAI-compatible server (vLLM, NVIDIA NIM, TGI, Ollama, DJL Serving). */
    REMOTE

}
