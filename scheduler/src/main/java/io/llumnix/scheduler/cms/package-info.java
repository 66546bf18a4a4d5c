/**
 * Full mode's view of the cluster: each instance's CMS metadata and status, the local account
 * of dispatches its status does not show yet, the scheduling metrics computed from both
 * and the filters that use them.
 */
@NullMarked
package io.llumnix.scheduler.cms;

import org.jspecify.annotations.NullMarked;
