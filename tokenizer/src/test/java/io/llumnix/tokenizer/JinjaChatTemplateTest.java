package io.llumnix.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Python-isms of HuggingFace chat templates, one by one. */
class JinjaChatTemplateTest {

  static String render(String template, Map<String, ?> variables) {
    return new JinjaChatTemplate(template, Map.of("bos_token", "<s>"))
        .render(List.of(Map.of("role", "user", "content", "  Hi there\n")), variables);
  }

  @Test
  void pythonStringMethods() {
    String content = "messages[0].content";
    assertThat(render("{{ " + content + ".strip() }}|{{ " + content + ".lstrip() }}|{{ "
        + content + ".rstrip('\\n') }}", Map.of())).isEqualTo("Hi there|Hi there\n|  Hi there");
    assertThat(render("{{ " + content + ".split()[-1] }},{{ 'a,b,c'.split(',', 1)[1] }}",
        Map.of())).isEqualTo("there,b,c");
    assertThat(render("{{ 'ab'.startswith('a') }} {{ 'ab'.endswith('a') }} {{ 'hi you'.title() }}"
        + " {{ 'x-y'.replace('-', '+') }} {{ ', '.join(['a', 'b']) }} {{ 'aXa'.count('a') }}",
        Map.of())).isEqualTo("true false Hi You x+y a, b 2");
    assertThat(render("{{ 'Ab'.upper() }}{{ 'Ab'.lower() }}{{ 'aB'.capitalize() }}", Map.of()))
        .isEqualTo("ABabAb");
  }

  @Test
  void reversingSliceAndNamespaceWithExpressions() {
    String template = "{% set ns = namespace(last=messages|length - 1, seen='a,b') %}"
        + "{% for x in [1, 2, 3][::-1] %}{{ x }}{% endfor %}:{{ ns.last }}:{{ ns.seen }}"
        + "{% set ns.last = 7 %}:{{ ns.last }}";
    assertThat(render(template, Map.of())).isEqualTo("321:0:a,b:7");
    assertThat(JinjaChatTemplate.parenthesizeNamespaceArguments(
        "namespace(a=f(1, 2), b='x)y', c=n|length - 1)"))
        .isEqualTo("namespace(a=(f(1, 2)), b=('x)y'), c=(n|length - 1))");
  }

  @Test
  void tojsonWritesPythonsLayout() {
    Map<String, Object> tool = new LinkedHashMap<>();
    tool.put("name", "f\n\"q\"");
    tool.put("n", 1);
    tool.put("ok", true);
    tool.put("none", null);
    assertThat(render("{{ tools | tojson }}", Map.of("tools", List.of(tool))))
        .isEqualTo("[{\"name\": \"f\\n\\\"q\\\"\", \"n\": 1, \"ok\": true, \"none\": null}]");
  }

  @Test
  void constantsAndTrimBlocksAsTransformers() {
    assertThat(render("{{ bos_token }}{% if true %}\n  x{% endif %}\n", Map.of()))
        .isEqualTo("<s>  x");
  }

  @Test
  void raiseExceptionRejectsTheConversationWithTheTemplatesMessage() {
    assertThatThrownBy(() -> render("{% if messages[0].role == 'user' %}"
        + "{{ raise_exception('Conversation roles must alternate user/assistant') }}{% endif %}",
        Map.of()))
        .isInstanceOf(ChatTemplate.TemplateException.class)
        .hasMessageContaining("Conversation roles must alternate user/assistant");
  }

  @Test
  void aTemplateThatCannotRenderFailsAtLoad() {
    assertThatThrownBy(() -> new JinjaChatTemplate("{% for %}", Map.of()))
        .isInstanceOf(ChatTemplate.TemplateException.class);
  }

  @Test
  void whatARenderSetsIsGoneAtTheNextOnTheSameThread() {
    JinjaChatTemplate template = new JinjaChatTemplate("{% if seen is defined %}stale "
        + "{% endif %}{% set seen = messages[0].content %}{% macro m(x) %}[{{ x }}]{% endmacro %}"
        + "{{ m(seen) }}", Map.of());
    assertThat(template.render(List.of(Map.of("role", "user", "content", "a")), Map.of()))
        .isEqualTo("[a]");
    assertThat(template.render(List.of(Map.of("role", "user", "content", "b")), Map.of()))
        .isEqualTo("[b]");
    assertThat(template.render(List.of(Map.of("role", "user", "content", "c")),
        Map.of("seen", "given"))).startsWith("stale").endsWith("[c]");
  }
}
