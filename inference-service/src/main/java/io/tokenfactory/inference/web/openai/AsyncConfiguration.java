package io.tokenfactory.inference.web.openai;

import java.util.List;

import io.tokenfactory.inference.InferenceProperties;

import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.web.method.support.HandlerMethodReturnValueHandler;
import org.springframework.web.servlet.config.annotation.AsyncSupportConfigurer;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Streamed responses are written by their own threads (the decode loop only enqueues), so
 * concurrent streams need as many threads; a small default pool would queue streams
 * behind each other.
 */
@Configuration(proxyBeanMethods = false)
class AsyncConfiguration implements WebMvcConfigurer {

    private final InferenceProperties properties;

    AsyncConfiguration(InferenceProperties properties) {
        this.properties = properties;
    }

    @Override
    public void addReturnValueHandlers(List<HandlerMethodReturnValueHandler> handlers) {
        handlers.add(new AsyncResponses());
    }

    @Override
    public void configureAsyncSupport(AsyncSupportConfigurer configurer) {
        ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
        executor.setThreadNamePrefix("stream-");
        executor.setCorePoolSize(16);
        executor.setMaxPoolSize(1024);
        executor.setQueueCapacity(0);
        executor.setAllowCoreThreadTimeOut(true);
        executor.setDaemon(true);
        executor.initialize();
        configurer.setTaskExecutor(executor);
        configurer.setDefaultTimeout(properties.streamTimeout().toMillis());
    }

}
