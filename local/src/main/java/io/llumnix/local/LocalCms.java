package io.llumnix.local;

import io.llumnix.cms.CmsStore;
import io.llumnix.cms.InMemoryCmsStore;
import io.llumnix.cms.RedisCmsStore;
import io.llumnix.runtime.redis.RedisConnection;
import io.llumnix.runtime.redis.RedisProcess;
import io.vertx.core.Vertx;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A local cluster's CMS, as {@link LocalCluster.Cms} asks for it: a {@code redis-server} on a
 * free port, or a store inside the process; none in lite mode.
 *
 * @param redis the redis-server it runs, if any
 * @param store opens the store on a Vert.x; null in lite mode
 * @param description where it is, in words; "" in lite mode
 */
record LocalCms(@Nullable RedisProcess redis, @Nullable Function<Vertx, CmsStore> store,
    String description) {

  static LocalCms start(LocalCluster.Cms choice, boolean fullMode) throws Exception {
    if (!fullMode) {
      return new LocalCms(null, null, "");
    }
    if (choice == LocalCluster.Cms.REDIS
        || (choice == LocalCluster.Cms.REDIS_IF_INSTALLED && RedisProcess.installed())) {
      RedisProcess redis = RedisProcess.start();
      RedisConnection connection = redis.connection();
      return new LocalCms(redis, v -> RedisCmsStore.create(v, connection, 1000),
          "redis-server on 127.0.0.1:" + redis.port());
    }
    InMemoryCmsStore shared = new InMemoryCmsStore();
    return new LocalCms(null, v -> shared, "in-process store"
        + (choice == LocalCluster.Cms.IN_PROCESS ? "" : " (redis-server is not installed)"));
  }

  /** Stops the redis-server, if it runs one. */
  void close() throws Exception {
    if (redis != null) {
      redis.close();
    }
  }
}
