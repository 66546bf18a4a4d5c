/**
 * Rescheduling (full mode): every interval the
 * {@link io.llumnix.scheduler.rescheduling.Rescheduler} reads the CMS view, lets each configured
 * {@link io.llumnix.scheduler.rescheduling.ReschedulingPolicy} pick source and destination
 * instances ({@link io.llumnix.scheduler.rescheduling.PairSelection}), and asks each source's
 * llumlet over gRPC to migrate requests to its destination. It runs beside the scheduling API or,
 * in {@link io.llumnix.scheduler.rescheduling.ReschedulerServer}, in a process of its own.
 */
@NullMarked
package io.llumnix.scheduler.rescheduling;

import org.jspecify.annotations.NullMarked;
