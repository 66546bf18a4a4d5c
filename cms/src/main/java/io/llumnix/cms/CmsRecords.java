package io.llumnix.cms;

import com.google.protobuf.InvalidProtocolBufferException;
import io.llumnix.cms.proto.InstanceMetadata;
import io.llumnix.cms.proto.InstanceStatus;
import io.llumnix.core.instance.InferType;
import org.jspecify.annotations.Nullable;

/**
 * CMS records read from the bytes Redis holds. A value that is not a record is skipped (null,
 * with a warning), never thrown: the scheduler reads every record in one loop, and one bad
 * value must not hide the others. Protobuf reads almost any bytes as some record (unknown
 * fields are kept, absent ones are zero), so a metadata record is also skipped when no
 * scheduler could route to the instance it describes.
 */
final class CmsRecords {

  private static final System.Logger logger = System.getLogger(CmsRecords.class.getName());

  private CmsRecords() {}

  /**
   * The metadata stored under {@code key}, or null when {@code bytes} hold none a scheduler can
   * use: a returned record has an instance id, a known (or empty) instance type and an API
   * port in 1-65535.
   */
  static @Nullable InstanceMetadata metadata(String key, byte[] bytes) {
    InstanceMetadata metadata;
    try {
      metadata = InstanceMetadata.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      return skipped(key, e.getMessage());
    }
    String unusable = unusable(metadata);
    return unusable == null ? metadata : skipped(key, unusable);
  }

  /** The status in {@code bytes}, or null when they hold none. */
  static @Nullable InstanceStatus status(byte[] bytes) {
    try {
      return InstanceStatus.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      logger.log(System.Logger.Level.WARNING, "cms: ignoring an unreadable status: "
          + e.getMessage());
      return null;
    }
  }

  /** Why no instance can be built from {@code metadata}, or null when one can. */
  private static @Nullable String unusable(InstanceMetadata metadata) {
    if (metadata.getInstanceId().isEmpty()) {
      return "no instance_id";
    }
    int port = metadata.getApiServerPort();
    if (port < 1 || port > 65535) {
      return "api_server_port: " + port + " (expected: 1-65535)";
    }
    try {
      InferType.of(metadata.getInstanceType());
    } catch (IllegalArgumentException e) {
      return "instance_type: " + e.getMessage();
    }
    return null;
  }

  private static @Nullable InstanceMetadata skipped(String key, String why) {
    logger.log(System.Logger.Level.WARNING, "cms: ignoring unreadable record " + key + ": "
        + why);
    return null;
  }
}
