package io.llumnix.cms;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.llumnix.cms.proto.InstanceMetadata;
import io.llumnix.core.instance.InferType;
import io.llumnix.core.instance.LlmInstance;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The CMS records a scheduler reads from Redis, fuzzed: any bytes under a metadata or status
 * key. Reading them gives a record or a skip (null), never an exception, which would fail the
 * scheduler's whole read loop; and a metadata record it gives is one a scheduler can route
 * to, so that a bad value is skipped here rather than thrown later. The inputs under
 * {@code CmsRecordsFuzzTestInputs/} are records as llumlets write them, and past findings.
 */
class CmsRecordsFuzzTest {

  /** Every skip is logged: hundreds of thousands of warnings would slow fuzzing to a crawl. */
  static final Logger QUIET = Logger.getLogger(CmsRecords.class.getName());

  static {
    QUIET.setLevel(Level.OFF);
  }

  @FuzzTest(maxDuration = "20s")
  void readsOrSkips(byte[] value) {
    InstanceMetadata metadata = CmsRecords.metadata(CmsStore.METADATA_PREFIX + "x", value);
    if (metadata != null) {
      assertThat(metadata.getInstanceId()).isNotEmpty();
      // What the scheduler's view builds from it.
      assertThat(new LlmInstance(0, metadata.getInstanceId(), "",
          InferType.of(metadata.getInstanceType()), metadata.getIp(),
          metadata.getApiServerPort(), metadata.getIpKvt(), metadata.getKvtPort(),
          metadata.getDpRank(), metadata.getDataParallelSize()).canonicalId()).isNotEmpty();
    }
    CmsRecords.status(value);
  }
}
