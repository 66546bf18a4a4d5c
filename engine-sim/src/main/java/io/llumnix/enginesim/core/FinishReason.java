package io.llumnix.enginesim.core;

import java.util.Locale;

/** Why a request finished, as vLLM's {@code FinishReason} prints ({@code str(reason)}). */
public enum FinishReason {
  STOP,
  LENGTH,
  ABORT,
  ERROR;

  /** The OpenAI {@code finish_reason} and the {@code finished_reason} label value. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
