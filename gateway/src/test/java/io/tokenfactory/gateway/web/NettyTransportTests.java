package io.tokenfactory.gateway.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The gateway's Netty transport. io_uring arrived transitively (with the AMQP 1.0 client)
 * and Reactor Netty prefers it; on it a response on a reused upstream connection now and
 * then never arrived (netty/netty#17049), which the soak saw as a 30 s upstream timeout
 * on the second request of a connection. The gateway must not have it.
 */
class NettyTransportTests {

    @Test
    void ioUringIsNotAvailableToTheGateway() throws Exception {
        assertThat(available("io.netty.channel.uring.IoUring")).isFalse();
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void onLinuxTheGatewayUsesEpoll() throws Exception {
        assertThat(available("io.netty.channel.epoll.Epoll")).isTrue();
    }

    private static boolean available(String transport) throws ReflectiveOperationException {
        try {
            return (boolean) Class.forName(transport).getMethod("isAvailable").invoke(null);
        }
        catch (ClassNotFoundException absent) {
            return false;
        }
    }

}
