package io.tokenfactory.gateway;

import java.util.Optional;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

/**
 * The Redis named by {@code TF_REDIS_HOST} (CI sets it when Redis answers), for the tests
 * that run a store against it too; none when unset. One connection per test class, closed
 * by {@link #close()}.
 */
public final class TestRedis {

    private LettuceConnectionFactory connection;

    public Optional<ReactiveStringRedisTemplate> template() {
        String host = System.getenv("TF_REDIS_HOST");
        if (host == null || host.isBlank()) {
            return Optional.empty();
        }
        connection = new LettuceConnectionFactory(host,
                Integer.parseInt(System.getenv().getOrDefault("TF_REDIS_PORT", "6379")));
        connection.afterPropertiesSet();
        connection.start();
        return Optional.of(new ReactiveStringRedisTemplate(connection));
    }

    public void close() {
        if (connection != null) {
            connection.destroy();
        }
    }

}
