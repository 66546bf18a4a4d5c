package io.llumnix.cms;

import static org.assertj.core.api.Assertions.assertThat;

import io.llumnix.cms.proto.InstanceMetadata;
import io.llumnix.cms.proto.InstanceStatus;
import org.junit.jupiter.api.Test;

/** Records read from Redis bytes: what is kept and what is skipped. */
class CmsRecordsTest {

  static final String KEY = CmsStore.METADATA_PREFIX + "i";
  static final InstanceMetadata METADATA = InstanceMetadata.newBuilder().setInstanceId("i")
      .setInstanceType("prefill").setIp("10.0.0.1").setApiServerPort(8000).build();

  @Test
  void keepsRecordsAndSkipsWhatIsNotOne() {
    assertThat(CmsRecords.metadata(KEY, METADATA.toByteArray())).isEqualTo(METADATA);
    InstanceStatus status = InstanceStatus.newBuilder().setInstanceId("i").setTimestampMs(1)
        .build();
    assertThat(CmsRecords.status(status.toByteArray())).isEqualTo(status);
    assertThat(CmsRecords.metadata(KEY, "not protobuf".getBytes())).isNull();
    assertThat(CmsRecords.status(new byte[] {(byte) 0x80})).isNull();
  }

  /**
   * Found by CmsRecordsFuzzTest: protobuf reads a status, an empty value or a half-written
   * record as metadata, and the scheduler's view threw on building its instance.
   */
  @Test
  void skipsMetadataNoSchedulerCanRouteTo() {
    InstanceStatus status = InstanceStatus.newBuilder().setInstanceId("i").setSchedulable(true)
        .build();
    assertThat(CmsRecords.metadata(KEY, status.toByteArray())).isNull(); // port 0
    assertThat(CmsRecords.metadata(KEY, new byte[0])).isNull(); // no id
    assertThat(CmsRecords.metadata(KEY, METADATA.toBuilder().setApiServerPort(70000).build()
        .toByteArray())).isNull();
    assertThat(CmsRecords.metadata(KEY, METADATA.toBuilder().setInstanceType("mixed").build()
        .toByteArray())).isNull();
    assertThat(CmsRecords.metadata(KEY, METADATA.toBuilder().setInstanceType("").build()
        .toByteArray())).isNotNull(); // the reference's neutral
  }
}
