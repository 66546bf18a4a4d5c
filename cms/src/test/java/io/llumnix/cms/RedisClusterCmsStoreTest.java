package io.llumnix.cms;

import static org.assertj.core.api.Assertions.assertThat;

import io.llumnix.cms.proto.InstanceMetadata;
import io.llumnix.cms.proto.InstanceStatus;
import io.llumnix.runtime.redis.RedisConnection;
import io.llumnix.testing.RedisCluster;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The CMS in a real three-master Redis Cluster: records spread over slots read back whole. */
class RedisClusterCmsStoreTest {

  @Test
  void writesAndReadsRecordsSpreadOverEveryNode() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (RedisCluster cluster = RedisCluster.start(3)) {
      RedisCmsStore store = RedisCmsStore.create(vertx,
          RedisConnection.of("127.0.0.1", cluster.ports().get(0)).withCluster(true), 5000);
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        String id = "10.0.0." + i + ":8000";
        ids.add(id);
        store.putMetadata(InstanceMetadata.newBuilder().setInstanceId(id).setApiServerPort(8000)
            .build(), 100).await(5, TimeUnit.SECONDS);
        if (i % 5 != 0) {
          store.putStatus(InstanceStatus.newBuilder().setInstanceId(id).setUpdateId(i).build(),
              100).await(5, TimeUnit.SECONDS);
        }
      }
      assertThat(store.allMetadata().await(5, TimeUnit.SECONDS)).hasSize(50);
      List<InstanceStatus> statuses = store.statuses(ids).await(5, TimeUnit.SECONDS);
      for (int i = 0; i < 50; i++) {
        if (i % 5 == 0) {
          assertThat(statuses.get(i)).as(ids.get(i)).isNull();
        } else {
          assertThat(statuses.get(i).getInstanceId()).isEqualTo(ids.get(i));
          assertThat(statuses.get(i).getUpdateId()).isEqualTo(i);
        }
      }
      store.delete(ids.get(1)).await(5, TimeUnit.SECONDS);
      assertThat(store.allMetadata().await(5, TimeUnit.SECONDS)).hasSize(49);
      store.close();
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
