package io.llumnix.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llumnix.scheduler.cache.CacheAwareConfig;
import io.llumnix.scheduler.cache.KvsBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The scheduler's cache-aware scheduling flags (the reference's names). */
final class CacheAwareOptions {

  @Option(names = "--enable-cache-aware-scheduling", defaultValue = "false", arity = "0..1",
      fallbackValue = "true", description = "Full mode: prefer instances whose prefix cache "
          + "holds the prompt's beginning (the gateway must send prompt_token_ids: "
          + "--forward-tokens).")
  boolean enabled;

  @Option(names = "--cache-aware-scheduling-min-tokens",
      defaultValue = "" + CacheAwareConfig.DEFAULT_MIN_TOKENS,
      description = "Shorter prompts are not looked up.")
  int minTokens;

  @Option(names = "--kvs-backend", defaultValue = "mooncake",
      description = "Where hits are looked up: mooncake (a Mooncake master's HTTP metadata, or "
          + "`llumnix kvs`), v6d (Vineyard's Redis) or kv-events (the instances' vLLM KV-cache "
          + "events, indexed here).")
  String backend;

  @CommandLine.Mixin KvsKeyOptions keys;

  @Option(names = "--kvs-metadata-service-http-server-host", defaultValue = "0.0.0.0",
      description = "mooncake: the metadata service's host.")
  String httpHost;

  @Option(names = "--kvs-metadata-service-http-server-port", defaultValue = "9003",
      description = "mooncake: the metadata service's port.")
  int httpPort;

  @Option(names = "--kvs-metadata-service-redis-cluster-hosts", defaultValue = "",
      description = "v6d: host:port of the metadata Redis nodes, comma-separated (one node: a "
          + "plain Redis; several: a Redis Cluster).")
  String redisHosts;

  @Option(names = "--kvs-metadata-service-redis-cluster-password", defaultValue = "",
      description = "v6d: the metadata Redis password.")
  String redisPassword;

  @Option(names = "--kvs-metadata-service-config-path", defaultValue = "",
      description = "v6d: a JSON file {\"redis_cluster\":{\"hosts\",\"config\":{\"password\"},"
          + "\"max_batch_size\",\"max_concurrent_routines\",\"query_timeout_second\"}}; its "
          + "values win over the flags.")
  String configPath;

  @Option(names = "--kvs-retry-times", defaultValue = "" + CacheAwareConfig.DEFAULT_RETRY_TIMES,
      description = "Attempts of one lookup before the metadata service counts as down.")
  int retryTimes;

  @Option(names = "--kvs-retry-interval-ms",
      defaultValue = "" + CacheAwareConfig.DEFAULT_RETRY_INTERVAL_MILLIS,
      description = "Pause between attempts.")
  long retryIntervalMillis;

  @Option(names = "--kvs-metadata-service-down-duration-s",
      defaultValue = "" + CacheAwareConfig.DEFAULT_DOWN_SECONDS,
      description = "How long lookups are skipped (load balance only) once it is down.")
  long downSeconds;

  @Option(names = "--dispatch-prefill-cache-locality-metric",
      defaultValue = CacheAwareConfig.DEFAULT_LOCALITY_METRIC,
      description = "Ranked first for prefill and neutral choices: "
          + "cache_aware_all_prefills_tokens_num or kv_cache_hit_len.")
  String localityMetric;

  @Option(names = "--kv-events-port", defaultValue = "5557",
      description = "kv-events: the publishers' port (plus the data-parallel rank) when an "
          + "instance's CMS metadata names no endpoint.")
  int kvEventsPort;

  @Option(names = "--kv-events-replay-port", defaultValue = "0",
      description = "kv-events: the publishers' replay port; 0 when they have none.")
  int kvEventsReplayPort;

  @Option(names = "--kv-events-topic", defaultValue = "",
      description = "kv-events: the topic prefix subscribed to.")
  String kvEventsTopic;

  CacheAwareConfig config() {
    KvsBackend kvsBackend = KvsBackend.of(backend);
    CacheAwareConfig.V6dSettings v6d = v6d();
    if (enabled && kvsBackend == KvsBackend.V6D && v6d.hosts().isEmpty()) {
      throw new IllegalArgumentException("--kvs-backend v6d needs "
          + "--kvs-metadata-service-redis-cluster-hosts (or a --kvs-metadata-service-config-path"
          + " naming them)");
    }
    return CacheAwareConfig.builder().enabled(enabled).minTokens(minTokens)
        .backend(kvsBackend).keyFormat(keys.format("GO_HASH_SEED"))
        .mooncake(httpHost, httpPort).v6d(v6d)
        .kvEvents(new CacheAwareConfig.KvEventsSettings(kvEventsPort, kvEventsReplayPort,
            kvEventsTopic))
        .retry(retryTimes, retryIntervalMillis).downSeconds(downSeconds)
        .localityMetric(localityMetric).build();
  }

  private CacheAwareConfig.V6dSettings v6d() {
    CacheAwareConfig.V6dSettings defaults = CacheAwareConfig.V6dSettings.DEFAULT;
    List<String> hosts = split(redisHosts);
    String password = redisPassword;
    int batch = defaults.maxBatchSize();
    int concurrent = defaults.maxConcurrentBatches();
    long timeoutMillis = defaults.queryTimeoutMillis();
    if (!configPath.isEmpty()) {
      JsonNode cluster;
      try {
        cluster = new ObjectMapper().readTree(Files.readString(Path.of(configPath)))
            .path("redis_cluster");
      } catch (IOException e) {
        throw new IllegalArgumentException("--kvs-metadata-service-config-path: " + configPath
            + ": " + e.getMessage(), e);
      }
      JsonNode h = cluster.path("hosts");
      if (h.isArray()) {
        hosts = new ArrayList<>();
        for (JsonNode host : h) {
          hosts.add(host.asText());
        }
      } else if (h.isTextual()) {
        hosts = split(h.asText());
      }
      password = cluster.path("config").path("password").asText(password);
      batch = cluster.path("max_batch_size").asInt(batch);
      concurrent = cluster.path("max_concurrent_routines").asInt(concurrent);
      if (cluster.has("query_timeout_second")) {
        timeoutMillis = (long) (cluster.path("query_timeout_second").asDouble() * 1000);
      }
    }
    return new CacheAwareConfig.V6dSettings(hosts, password, batch, concurrent, timeoutMillis);
  }

  private static List<String> split(String list) {
    return Arrays.stream(list.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }
}
