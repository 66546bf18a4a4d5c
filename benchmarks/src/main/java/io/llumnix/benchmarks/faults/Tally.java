package io.llumnix.benchmarks.faults;

import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/** Outcome counts, with HTTP errors by status. */
final class Tally {
  final Map<Outcome, Long> counts = new TreeMap<>();
  final Map<Integer, Long> httpByStatus = new TreeMap<>();
  long total;

  static Tally of(Collection<StreamLoad.Stream> streams) {
    Tally tally = new Tally();
    for (StreamLoad.Stream stream : streams) {
      Outcome outcome = stream.outcome;
      if (outcome != null) {
        tally.add(outcome, stream.status, 1);
      }
    }
    return tally;
  }

  void add(Outcome outcome, int status, long n) {
    counts.merge(outcome, n, Long::sum);
    if (outcome == Outcome.HTTP_ERROR) {
      httpByStatus.merge(status, n, Long::sum);
    }
    total += n;
  }

  long get(Outcome outcome) {
    return counts.getOrDefault(outcome, 0L);
  }

  /** HTTP errors as {@code 503:12,429:3}, or {@code -}. */
  String http() {
    if (httpByStatus.isEmpty()) {
      return "-";
    }
    StringBuilder text = new StringBuilder();
    httpByStatus.forEach((status, n) -> text.append(text.isEmpty() ? "" : ",")
        .append(status).append(':').append(n));
    return text.toString();
  }
}
