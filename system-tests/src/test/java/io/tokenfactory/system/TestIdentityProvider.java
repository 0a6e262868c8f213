package io.tokenfactory.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;

import io.tokenfactory.testsupport.FreePorts;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.tomcat.autoconfigure.servlet.TomcatServletWebServerAutoConfiguration;
import org.springframework.boot.webmvc.autoconfigure.DispatcherServletAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.http.MediaType;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.annotation.web.configurers.oauth2.server.authorization.OAuth2AuthorizationServerConfigurer;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.oidc.OidcScopes;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.settings.AuthorizationServerSettings;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.util.matcher.MediaTypeRequestMatcher;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.CorsConfigurationSource;
import org.springframework.web.cors.UrlBasedCorsConfigurationSource;

import tools.jackson.databind.json.JsonMapper;

/**
 * A real OpenID Connect provider for the single sign-on tests: Spring Authorization
 * Server in this JVM on a port of its own, with people who sign in through its login form
 * (for the console, authorization code with PKCE) and programs that get tokens with
 * client credentials (for the API). Access tokens carry a {@code groups} claim, as
 * Keycloak's, Entra ID's and Okta's can.
 */
final class TestIdentityProvider implements AutoCloseable {

    static final String CONSOLE_CLIENT = "tf-console";

    static final String PASSWORD = "correct horse battery staple";

    /** People and their groups. */
    static final Map<String, List<String>> PEOPLE = Map.of("ada", List.of("tf-research"), "grace",
            List.of("tf-admins"));

    /**
     * Programs (client-credentials clients, their secret {@link #PASSWORD}) and their
     * groups.
     */
    static final Map<String, List<String>> PROGRAMS = Map.of("robot-admin", List.of("tf-admins"), "robot-research",
            List.of("tf-research", "someone-elses-group"), "robot-nobody", List.of("unmapped"), "robot-two-departments",
            List.of("tf-research", "tf-support"));

    private final ConfigurableApplicationContext context;

    private final int port;

    private TestIdentityProvider(ConfigurableApplicationContext context, int port) {
        this.context = context;
        this.port = port;
    }

    static TestIdentityProvider start() {
        int port = freePort();
        ConfigurableApplicationContext context = new SpringApplicationBuilder(Provider.class)
            .web(WebApplicationType.SERVLET)
            .properties("server.port=" + port, "spring.config.name=tf-test-identity-provider",
                    "spring.main.banner-mode=off", "tf.test.issuer=http://localhost:" + port)
            .run();
        return new TestIdentityProvider(context, port);
    }

    String issuer() {
        return "http://localhost:" + port;
    }

    /** Registers the console as a public client that must use PKCE, coming back here. */
    void allowConsole(String redirectUri) {
        context.getBean(InMemoryRegisteredClientRepository.class)
            .save(RegisteredClient.withId(UUID.randomUUID().toString())
                .clientId(CONSOLE_CLIENT)
                .clientAuthenticationMethod(ClientAuthenticationMethod.NONE)
                .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                .redirectUri(redirectUri)
                .scope(OidcScopes.OPENID)
                .scope(OidcScopes.PROFILE)
                .clientSettings(
                        ClientSettings.builder().requireProofKey(true).requireAuthorizationConsent(false).build())
                .build());
    }

    /** An access token for one of the {@link #PROGRAMS}, by client credentials. */
    String accessToken(String program) {
        String basic = Base64.getEncoder()
            .encodeToString((program + ":" + secretOf(program)).getBytes(StandardCharsets.UTF_8));
        try {
            HttpResponse<String> response = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(URI.create(issuer() + "/oauth2/token"))
                    .header("Authorization", "Basic " + basic)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&scope=api"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("no token for " + program + ": " + response.body());
            }
            return JsonMapper.builder().build().readTree(response.body()).path("access_token").asString();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Each program's own secret (the provider refuses two clients with one). */
    private static String secretOf(String program) {
        return program + " " + PASSWORD;
    }

    @Override
    public void close() {
        context.close();
    }

    private static int freePort() {
        return FreePorts.next();
    }

    /**
     * The provider: Spring Authorization Server wired by hand (no auto-configuration
     * beyond the web server).
     */
    @Configuration(proxyBeanMethods = false)
    @EnableWebSecurity
    @ImportAutoConfiguration({ TomcatServletWebServerAutoConfiguration.class,
            DispatcherServletAutoConfiguration.class })
    static class Provider {

        @Bean
        @Order(1)
        SecurityFilterChain authorizationServer(HttpSecurity http) throws Exception {
            OAuth2AuthorizationServerConfigurer server = new OAuth2AuthorizationServerConfigurer();
            http.securityMatcher(server.getEndpointsMatcher())
                .with(server, configurer -> configurer.oidc(Customizer.withDefaults()))
                .authorizeHttpRequests(requests -> requests.anyRequest().authenticated())
                .cors(Customizer.withDefaults())
                .exceptionHandling(exceptions -> exceptions.defaultAuthenticationEntryPointFor(
                        new LoginUrlAuthenticationEntryPoint("/login"),
                        new MediaTypeRequestMatcher(MediaType.TEXT_HTML)));
            return http.build();
        }

        @Bean
        @Order(2)
        SecurityFilterChain signIn(HttpSecurity http) throws Exception {
            return http.authorizeHttpRequests(requests -> requests.anyRequest().authenticated())
                .formLogin(Customizer.withDefaults())
                .cors(Customizer.withDefaults())
                .build();
        }

        /** The console calls the discovery and token endpoints from its own origin. */
        @Bean
        CorsConfigurationSource corsConfigurationSource() {
            CorsConfiguration cors = new CorsConfiguration();
            cors.setAllowedOriginPatterns(List.of("http://localhost:*", "http://127.0.0.1:*"));
            cors.setAllowedMethods(List.of("GET", "POST", "OPTIONS"));
            cors.setAllowedHeaders(List.of("Content-Type", "Authorization"));
            UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
            source.registerCorsConfiguration("/**", cors);
            return source;
        }

        @Bean
        UserDetailsService people() {
            List<org.springframework.security.core.userdetails.UserDetails> people = new ArrayList<>();
            PEOPLE.forEach((name,
                    groups) -> people.add(User.withUsername(name)
                        .password("{noop}" + PASSWORD)
                        .authorities(groups.stream().map(group -> "GROUP_" + group).toArray(String[]::new))
                        .build()));
            return new InMemoryUserDetailsManager(people);
        }

        @Bean
        InMemoryRegisteredClientRepository clients() {
            List<RegisteredClient> programs = new ArrayList<>();
            PROGRAMS.keySet()
                .forEach(program -> programs.add(RegisteredClient.withId(UUID.randomUUID().toString())
                    .clientId(program)
                    .clientSecret("{noop}" + secretOf(program))
                    .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
                    .authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
                    .scope("api")
                    .build()));
            return new InMemoryRegisteredClientRepository(programs);
        }

        /** Each access token names its holder's groups, and a person's name. */
        @Bean
        OAuth2TokenCustomizer<JwtEncodingContext> groupsClaim() {
            return context -> {
                if (!OAuth2TokenType.ACCESS_TOKEN.equals(context.getTokenType())) {
                    return;
                }
                if (AuthorizationGrantType.CLIENT_CREDENTIALS.equals(context.getAuthorizationGrantType())) {
                    context.getClaims()
                        .claim("groups", PROGRAMS.getOrDefault(context.getRegisteredClient().getClientId(), List.of()));
                    return;
                }
                context.getClaims()
                    .claim("preferred_username", context.getPrincipal().getName())
                    .claim("groups",
                            context.getPrincipal()
                                .getAuthorities()
                                .stream()
                                .map(GrantedAuthority::getAuthority)
                                .filter(authority -> authority.startsWith("GROUP_"))
                                .map(authority -> authority.substring("GROUP_".length()))
                                .toList());
            };
        }

        @Bean
        JWKSource<SecurityContext> signingKeys() throws NoSuchAlgorithmException {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair pair = generator.generateKeyPair();
            RSAKey key = new RSAKey.Builder((RSAPublicKey) pair.getPublic())
                .privateKey((RSAPrivateKey) pair.getPrivate())
                .keyID(UUID.randomUUID().toString())
                .build();
            return new ImmutableJWKSet<>(new JWKSet(key));
        }

        /** The OpenID Connect user-info endpoint reads its own access tokens with it. */
        @Bean
        JwtDecoder jwtDecoder(JWKSource<SecurityContext> signingKeys) {
            return NimbusJwtDecoder.withJwkSource(signingKeys).build();
        }

        @Bean
        AuthorizationServerSettings authorizationServerSettings(Environment environment) {
            // no placeholder configurer without auto-configuration: read the property
            // itself
            return AuthorizationServerSettings.builder()
                .issuer(environment.getRequiredProperty("tf.test.issuer"))
                .build();
        }

    }

}
