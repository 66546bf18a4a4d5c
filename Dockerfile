# The Llumnix image: one jar, every component as a subcommand (gateway, scheduler, discovery,
# engine-sim, local, bench). Build from the repository root:
#   docker build -t ghcr.io/llumnix-jvm/llumnix:0.1.0 .
FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /src
COPY . .
RUN mvn -B -ntp -DskipTests -pl cli -am package

# glibc-based (not Alpine): the tokenizer's native library is built for glibc.
FROM eclipse-temurin:21-jre
COPY --from=build /src/cli/target/llumnix.jar /opt/llumnix/llumnix.jar
RUN useradd --system --uid 10001 llumnix
USER 10001
# Heap follows the container's memory limit.
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", "-jar", "/opt/llumnix/llumnix.jar"]
CMD ["--help"]
