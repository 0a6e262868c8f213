import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;

/**
 * The floor under the gateway benchmark: Spring Cloud Gateway (server, WebFlux, Reactor Netty) with the one route
 * the benchmark calls, and nothing of Token Factory's — no security, no filters of ours, no actuator, no database.
 * What this proxies per second on a machine is what Spring Cloud Gateway itself allows there; the gap from it to
 * nginx is the framework's, the gap from it to the gateway is ours.
 *
 * java -cp "$(classpath of bench/bare-gateway/pom.xml)" bench/bare-gateway/BareGateway.java PORT UPSTREAM_URL
 */
// no component scan: this class is in the unnamed package, which would scan every jar
@SpringBootConfiguration(proxyBeanMethods = false)
@EnableAutoConfiguration
public class BareGateway {

    public static void main(String[] arguments) {
        SpringApplication.run(BareGateway.class, "--server.port=" + arguments[0],
                "--spring.cloud.gateway.server.webflux.routes[0].id=upstream",
                "--spring.cloud.gateway.server.webflux.routes[0].uri=" + arguments[1],
                "--spring.cloud.gateway.server.webflux.routes[0].predicates[0]=Path=/**",
                "--spring.main.banner-mode=off");
    }

}
