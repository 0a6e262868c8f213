package io.tokenfactory.gateway.limits;

import io.tokenfactory.gateway.GatewayProperties;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

@Configuration(proxyBeanMethods = false)
class LimitsConfiguration {

    @Bean
    LimitStore limitStore(GatewayProperties properties, ObjectProvider<ReactiveStringRedisTemplate> redis) {
        return properties.limits().store() == GatewayProperties.LimitStore.REDIS
                ? new RedisLimitStore(redis.getObject()) : new InMemoryLimitStore();
    }

}
