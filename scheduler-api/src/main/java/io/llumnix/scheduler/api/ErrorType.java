package io.llumnix.scheduler.api;

import java.util.Locale;

/** Why a {@code /schedule} failed: the {@code error_type} of {@code scheduler_scheduling_failed_total}. */
public enum ErrorType {
  ENDPOINT_NOT_FOUND, NO_AVAILABLE_ENDPOINT, ALL_ENDPOINTS_BUSY, NO_MATCH_INFER_TYPE,
  CMS_NOT_AVAILABLE, SCHEDULER_NOT_READY, UNKNOWN;

  /** The label value, e.g. {@code no_available_endpoint}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
