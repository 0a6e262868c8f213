package io.tokenfactory.inference;

import java.nio.file.Path;

import ai.djl.engine.Engine;
import ai.djl.huggingface.tokenizers.jni.LibUtils;
import ai.djl.util.Utils;

/**
 * {@code java -jar inference-service.jar unpack-natives}: DJL's native libraries (PyTorch
 * and the Hugging Face tokenizers), which come inside the jar, unpacked into
 * {@code DJL_CACHE_DIR} and loaded once. The container image runs it at build time, so a
 * pod loads them from the image instead of unpacking some 400 MB into /tmp at every
 * start; a later start finds them there and writes nothing.
 */
final class NativeLibraries {

    static final String COMMAND = "unpack-natives";

    private NativeLibraries() {
    }

    /** Unpacks and loads them; returns where they are. */
    static Path unpack() {
        Engine pytorch = Engine.getEngine("PyTorch");
        LibUtils.checkStatus();
        System.out.println(
                "DJL natives ready in " + Utils.getCacheDir() + " (PyTorch " + pytorch.getVersion() + ", tokenizers)");
        return Utils.getCacheDir();
    }

}
