package io.llumnix.cli;

import io.llumnix.core.instance.InferType;
import io.llumnix.discovery.DiscoverySidecar;
import io.llumnix.runtime.VertxFactory;
import io.llumnix.runtime.redis.RedisConnection;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code llumnix discovery}: registers a pod's healthy engines in Redis. */
@Command(name = "discovery", mixinStandardHelpOptions = true, showDefaultValues = true,
    footer = {"", Main.FLAG_SOURCES, Main.DURATIONS, "The reference sidecar's flag names "
        + "(--pod_name, --instance_type, --dp_size_local, ...) are accepted too."},
    sortOptions = false,
    description = "Run the discovery sidecar: every interval, health-check the pod's engines "
        + "(GET /health) and write the healthy ones to Redis under llumnix:discovery:<pod>, "
        + "where schedulers and gateways find them.")
final class DiscoveryCommand implements Callable<Integer> {

  @CommandLine.Mixin ConfigFileOption config;

  @Option(names = {"--instance-type", "--instance_type"}, defaultValue = "neutral",
      description = "Infer type of the pod's engines: neutral, prefill or decode.")
  String instanceType;

  @Option(names = {"--pod-name", "--pod_name"}, required = true, description = "The pod's name (record key).")
  String podName;

  @Option(names = {"--entrypoint-ip", "--entrypoint_ip"}, defaultValue = "127.0.0.1",
      description = "Address of the engines' OpenAI API.")
  String entrypointIp;

  @Option(names = {"--entrypoint-port", "--entrypoint_port"}, defaultValue = "8000",
      description = "Port of data-parallel rank 0; rank i uses this + i.")
  int entrypointPort;

  @Option(names = {"--kv-transfer-ip", "--kv_transfer_ip"}, defaultValue = "",
      description = "Address of the engines' KV transfer; the entrypoint ip when empty.")
  String kvTransferIp;

  @Option(names = {"--kv-transfer-port", "--kv_transfer_port"}, defaultValue = "28000",
      description = "KV-transfer port of rank 0; rank i uses this + i.")
  int kvTransferPort;

  @Option(names = {"--dp-size-local", "--dp_size_local"}, defaultValue = "1",
      description = "Data-parallel ranks in this pod.")
  int dpSizeLocal;

  @Option(names = "--model", defaultValue = "", description = "Model served (may be empty).")
  String model;

  @Option(names = {"--redis-address", "--redis_address"}, defaultValue = "127.0.0.1", description = "Redis host.")
  String redisAddress;

  @Option(names = {"--redis-port", "--redis_port"}, defaultValue = "6379", description = "Redis port.")
  int redisPort;

  @Option(names = {"--redis-username", "--redis_username"}, defaultValue = "", description = "Redis user.")
  String redisUsername;

  @Option(names = {"--redis-password", "--redis_password"}, defaultValue = "", description = "Redis password.")
  String redisPassword;

  @Option(names = "--redis-tls", defaultValue = "false",
      description = "Connect to Redis over TLS (rediss://), checking its certificate and host "
          + "name.")
  boolean redisTls;

  @Option(names = "--redis-tls-ca-file", defaultValue = "",
      description = "PEM file of the CA certificates Redis's certificate is checked against; "
          + "empty: the JVM's default trust store. Needs --redis-tls.")
  String redisTlsCaFile;

  @Option(names = "--interval", defaultValue = "30",
      description = "Between health checks and writes.")
  Duration interval;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    DiscoverySidecar.Settings settings = new DiscoverySidecar.Settings(
        InferType.of(instanceType), podName, entrypointIp, entrypointPort,
        kvTransferIp.isEmpty() ? entrypointIp : kvTransferIp, kvTransferPort, dpSizeLocal, model,
        interval.toMillis());
    RedisConnection redis = RedisConnection.of(redisAddress, redisPort, redisUsername,
        redisPassword).withTls(RedisTlsFlags.of("--redis-tls", redisTls, redisTlsCaFile));
    Vertx vertx = VertxFactory.create();
    DiscoverySidecar sidecar = DiscoverySidecar.start(vertx, redis, settings);
    spec.commandLine().getOut().println("discovery: registering " + dpSizeLocal + " "
        + instanceType + " instance(s) of pod " + podName + " (" + entrypointIp + ":"
        + entrypointPort + ") in Redis at " + redis + " every "
        + interval.toMillis() / 1000.0 + " s");
    try (ShutdownSignal signal = new ShutdownSignal()) {
      signal.await();
      try {
        sidecar.deregister().await(5, TimeUnit.SECONDS); // before the engines stop
      } catch (Exception e) { // logged; the record ages out
      }
      vertx.close().await(10, TimeUnit.SECONDS); // before the JVM exits
    }
    return 0;
  }
}
