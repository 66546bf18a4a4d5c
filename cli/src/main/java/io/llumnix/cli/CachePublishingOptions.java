package io.llumnix.cli;

import io.llumnix.enginesim.cache.PublishingSettings;
import io.llumnix.kvs.events.KvEventsConfig;
import java.util.Arrays;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The engine simulator's flags for publishing its prefix cache (vLLM's and Llumnix's names). */
final class CachePublishingOptions {

  @Option(names = "--kv-events-config", defaultValue = "",
      description = "vLLM's KV-cache events as JSON, e.g. '{\"enable_kv_cache_events\":true,"
          + "\"publisher\":\"zmq\",\"endpoint\":\"tcp://*:5557\"}'; ports move up by one per "
          + "instance, as vLLM moves them per data-parallel rank.")
  String kvEventsConfig;

  @Option(names = "--kvs-backend", defaultValue = "",
      description = "Publish cached chunk keys to a KV store's metadata: mooncake (a "
          + "Mooncake-compatible service such as `llumnix kvs`) or v6d (Vineyard's Redis); "
          + "empty for none.")
  String backend;

  @Option(names = "--kvs-metadata-service-http-server-host", defaultValue = "127.0.0.1",
      description = "mooncake: the metadata service's host.")
  String httpHost;

  @Option(names = "--kvs-metadata-service-http-server-port", defaultValue = "9003",
      description = "mooncake: the metadata service's port.")
  int httpPort;

  @Option(names = "--kvs-metadata-service-redis-cluster-hosts", defaultValue = "",
      description = "v6d: host:port of the metadata Redis nodes, comma-separated.")
  String redisHosts;

  @Option(names = "--kvs-metadata-service-redis-cluster-password", defaultValue = "",
      description = "v6d: the metadata Redis password.")
  String redisPassword;

  @CommandLine.Mixin KvsKeyOptions keys;

  PublishingSettings settings() {
    KvEventsConfig events = kvEventsConfig.isBlank() ? null : KvEventsConfig.parse(kvEventsConfig);
    PublishingSettings.KvsTarget kvs = backend.isEmpty() ? null
        : new PublishingSettings.KvsTarget(backend, httpHost, httpPort,
            Arrays.stream(redisHosts.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .toList(), redisPassword, keys.format("PYTHONHASHSEED"));
    return new PublishingSettings(events, kvs);
  }
}
