# One image recipe for every Token Factory service. Build the jars first (./mvnw package -DskipTests);
# docker compose passes the module name.
FROM eclipse-temurin:17-jre
ARG MODULE
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 tokenfactory \
    && mkdir -p /run/tokenfactory /run/gateway-secrets \
    && chown tokenfactory /run/tokenfactory /run/gateway-secrets && chmod 700 /run/gateway-secrets
COPY ${MODULE}/target/${MODULE}-*-exec.jar /app/service.jar
USER tokenfactory
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75"
# DJL unpacks the PyTorch natives it finds in the jar once, into a writable place (inference-service)
ENV DJL_CACHE_DIR=/tmp/djl.ai
ENTRYPOINT ["java", "-jar", "/app/service.jar"]
