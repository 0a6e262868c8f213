package io.tokenfactory.inference;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableAsync;

/**
 * OpenAI-compatible inference; the only place that knows which request used which joule.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableAsync
public class InferenceServiceApplication {

    static {
        // every model and native library comes from Maven artifacts: DJL must never try
        // to download one
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
    }

    public static void main(String[] args) {
        if (args.length > 0 && NativeLibraries.COMMAND.equals(args[0])) {
            NativeLibraries.unpack();
            return;
        }
        SpringApplication.run(InferenceServiceApplication.class, args);
    }

}
