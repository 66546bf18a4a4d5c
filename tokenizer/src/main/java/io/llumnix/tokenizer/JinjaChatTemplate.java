package io.llumnix.tokenizer;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.Context;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.tree.Node;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import jinjava.javax.el.CompositeELResolver;

/**
 * A HuggingFace chat template (Jinja2, written for Python) rendered by Jinjava. Three things
 * HF templates rely on that Jinjava lacks are bridged: Python's string methods
 * ({@link PythonStringMethods}), the reversing slice {@code [::-1]}, and keyword arguments of
 * {@code namespace(...)} whose values contain operators (Jinjava would bind
 * {@code a=x|length - 1} as {@code (a=x|length) - 1}). As in transformers,
 * {@code raise_exception} fails the render with the template's own message and {@code tojson}
 * writes Python's JSON layout ({@link PythonJson}).
 */
final class JinjaChatTemplate implements ChatTemplate {

  private static final Pattern REVERSE_SLICE = Pattern.compile("\\[\\s*:\\s*:\\s*-1\\s*]");

  private final Jinjava jinjava;
  /**
   * Each thread's copy of the global context, the parent of its renders. Jinjava's own
   * {@code newInterpreter()} builds that copy, every default filter, tag and function
   * instantiated by reflection, on every call: two thirds of a chat render. A render also
   * records what it resolved in every context up to the root, so the root is not shared.
   */
  private final ThreadLocal<Context> renderRoots;
  private final Node template;
  private final Map<String, Object> constants;

  /**
   * @param source the template text ({@code chat_template} of tokenizer_config.json)
   * @param constants variables every render sees, such as {@code bos_token}
   * @throws TemplateException when the template does not parse
   */
  JinjaChatTemplate(String source, Map<String, ?> constants) {
    CompositeELResolver resolver = new CompositeELResolver();
    resolver.add(new PythonStringMethods());
    resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
    this.jinjava = new Jinjava(JinjavaConfig.newBuilder()
        .withElResolver(resolver)
        .withFailOnUnknownTokens(false)
        // transformers renders with both on; templates are written for that.
        .withTrimBlocks(true)
        .withLstripBlocks(true)
        .withLegacyOverrides(LegacyOverrides.newBuilder()
            .withUseNaturalOperatorPrecedence(true)
            .withUseTrimmingForNotesAndExpressions(true)
            .withParseWhitespaceControlStrictly(true)
            .withEvaluateMapKeys(true)
            .withKeepNullableLoopValues(true)
            .withUsePyishObjectMapper(true)
            .build())
        .build());
    jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception",
        JinjaChatTemplate.class, "raiseException", String.class));
    jinjava.getGlobalContext().registerFilter(new PythonJson());
    this.constants = Map.copyOf(constants);
    this.renderRoots = ThreadLocal.withInitial(jinjava::getGlobalContextCopy);
    String adapted = parenthesizeNamespaceArguments(REVERSE_SLICE.matcher(source)
        .replaceAll("|reverse"));
    JinjavaInterpreter parser = jinjava.newInterpreter();
    try {
      this.template = parser.parse(adapted);
    } catch (RuntimeException e) {
      throw new TemplateException("chat template does not parse: " + e.getMessage());
    }
    throwOnFatal(parser, "chat template does not parse: ");
    // A template that cannot render a plain exchange is broken; fail at load, not per request.
    render(List.of(Map.of("role", "user", "content", "hello")), Map.of());
  }

  @Override
  public String render(List<? extends Map<String, ?>> messages, Map<String, ?> variables) {
    Map<String, Object> context = new HashMap<>(constants);
    context.put("add_generation_prompt", true);
    context.putAll(variables);
    context.put("messages", messages);
    JinjavaInterpreter interpreter = jinjava.getGlobalConfig().getInterpreterFactory()
        .newInstance(jinjava, new Context(renderRoots.get(), context), jinjava.getGlobalConfig());
    String output;
    JinjavaInterpreter.pushCurrent(interpreter);
    try {
      output = interpreter.render(template);
    } catch (RuntimeException e) {
      throw new TemplateException("chat template: " + messageOf(e));
    } finally {
      JinjavaInterpreter.popCurrent();
    }
    throwOnFatal(interpreter, "chat template: ");
    return output;
  }

  private static void throwOnFatal(JinjavaInterpreter interpreter, String prefix) {
    for (TemplateError error : interpreter.getErrorsCopy()) {
      if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
        Throwable cause = error.getException();
        throw new TemplateException(prefix + (cause != null
            ? messageOf(cause) : error.getMessage()));
      }
    }
  }

  /** Called by templates as {@code raise_exception('...')}. */
  public static String raiseException(String message) {
    throw new TemplateException(message);
  }

  /** The message of a {@code raise_exception} behind {@code e}, else e's own. */
  private static String messageOf(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof TemplateException) {
        return t.getMessage();
      }
    }
    return String.valueOf(e.getMessage());
  }

  /** {@code namespace(a=x|length - 1)} becomes {@code namespace(a=(x|length - 1))}. */
  static String parenthesizeNamespaceArguments(String source) {
    StringBuilder out = new StringBuilder(source.length() + 16);
    int from = 0;
    int at;
    while ((at = source.indexOf("namespace(", from)) >= 0) {
      int open = at + "namespace(".length();
      out.append(source, from, open);
      int depth = 1;
      int i = open;
      int argStart = open;
      char quote = 0;
      for (; i < source.length() && depth > 0; i++) {
        char c = source.charAt(i);
        if (quote != 0) {
          if (c == quote && source.charAt(i - 1) != '\\') {
            quote = 0;
          }
        } else if (c == '\'' || c == '"') {
          quote = c;
        } else if (c == '(' || c == '[' || c == '{') {
          depth++;
        } else if (c == ')' || c == ']' || c == '}') {
          depth--;
        }
        if (quote == 0 && (depth == 0 || (depth == 1 && c == ','))) {
          out.append(keywordInParentheses(source.substring(argStart, i))).append(c);
          argStart = i + 1;
        }
      }
      if (depth > 0) { // unbalanced: leave the rest for the parser to report
        out.append(source, argStart, source.length());
        return out.toString();
      }
      from = i;
    }
    return out.append(source, from, source.length()).toString();
  }

  private static String keywordInParentheses(String argument) {
    int equals = argument.indexOf('=');
    if (equals <= 0 || argument.startsWith("=", equals + 1)
        || !argument.substring(0, equals).strip().matches("[A-Za-z_][A-Za-z0-9_]*")) {
      return argument;
    }
    return argument.substring(0, equals + 1) + "(" + argument.substring(equals + 1) + ")";
  }
}
