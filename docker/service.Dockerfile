# One image recipe for every Token Factory service. Build the jars first (./mvnw package -DskipTests);
# docker compose passes the module name.
#
# First stage: the jar split into Spring Boot's layers (libraries, our own snapshot modules, the application), so a
# rebuild after a code change ships only the small layers that changed; and for inference-service DJL's natives
# (PyTorch, the tokenizers: about 450 MB) unpacked here once, instead of into /tmp at every start.
FROM eclipse-temurin:17-jre AS layers
ARG MODULE
WORKDIR /build
COPY ${MODULE}/target/${MODULE}-*-exec.jar service.jar
RUN java -Djarmode=tools -jar service.jar extract --layers --destination extracted \
    && mkdir -p djl.ai \
    && if [ "$MODULE" = "inference-service" ]; then \
         DJL_CACHE_DIR=/build/djl.ai java -Dai.djl.offline=true -jar service.jar unpack-natives; \
       fi

FROM eclipse-temurin:17-jre
ARG MODULE
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 tokenfactory \
    && mkdir -p /run/tokenfactory /run/gateway-secrets \
    && chown tokenfactory /run/tokenfactory /run/gateway-secrets && chmod 700 /run/gateway-secrets
WORKDIR /app
# least often changed first: each layer is reused until what it holds changes
COPY --from=layers /build/extracted/dependencies/ ./
COPY --from=layers /build/extracted/spring-boot-loader/ ./
COPY --from=layers /build/extracted/snapshot-dependencies/ ./
COPY --from=layers /build/extracted/application/ ./
# the service's user owns them: a GPU node's own libtorch (PYTORCH_LIBRARY_PATH) still needs its JNI library written
COPY --from=layers --chown=tokenfactory /build/djl.ai /opt/djl.ai
USER tokenfactory
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75"
ENV DJL_CACHE_DIR=/opt/djl.ai
# /app/service.jar is the application layer's jar; its libraries are in /app/lib
ENTRYPOINT ["java", "-jar", "/app/service.jar"]
