package io.tokenfactory.gateway.budget;

import java.time.Clock;

import io.tokenfactory.gateway.GatewayProperties;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

/** Budgets live where the limit counters live: this gateway's memory, or Redis. */
@Configuration(proxyBeanMethods = false)
class MoneyStoreConfiguration {

    @Bean
    MoneyStore moneyStore(GatewayProperties properties, ObjectProvider<ReactiveStringRedisTemplate> redis,
            Clock clock) {
        return properties.limits().store() == GatewayProperties.LimitStore.REDIS
                ? new RedisMoneyStore(redis.getObject(), clock) : new InMemoryMoneyStore(clock);
    }

}
