# Regenerate: python3 render_chat_cases.py ../../main/resources/io/llumnix/tokenizer/qwen3/tokenizer_config.json > qwen3-chat-template-cases.json
# Renders chat cases with jinja2 configured as transformers' apply_chat_template does.
import json, sys
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.ext import loopcontrols
cfg = json.load(open(sys.argv[1]))
def raise_exception(m): raise Exception(m)
def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)
env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
env.filters["tojson"] = tojson
env.globals["raise_exception"] = raise_exception
t = env.from_string(cfg["chat_template"])
cases = [
 {"name": "one user message", "messages": [{"role": "user", "content": "Hi"}], "variables": {}},
 {"name": "system prompt", "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "What is KV cache?"}], "variables": {}},
 {"name": "thinking disabled", "messages": [{"role": "user", "content": "Hi"}], "variables": {"enable_thinking": False}},
 {"name": "no generation prompt", "messages": [{"role": "user", "content": "Hi"}], "variables": {"add_generation_prompt": False}},
 {"name": "earlier reasoning is dropped", "messages": [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "<think>\nsum\n</think>\n\n4"}, {"role": "user", "content": "times 3?"}], "variables": {}},
 {"name": "reasoning after the last query is kept", "messages": [{"role": "user", "content": "2+2?"}, {"role": "assistant", "content": "<think>\nsum\n</think>\n\n4"}], "variables": {"add_generation_prompt": False}},
 {"name": "tool call and response", "messages": [{"role": "user", "content": "Weather in Paris?"}, {"role": "assistant", "content": "", "tool_calls": [{"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Paris", "unit": "C"}}}]}, {"role": "tool", "content": "{\"temp\": 21}"}, {"role": "tool", "content": "sunny"}], "variables": {}},
 {"name": "tools offered", "messages": [{"role": "system", "content": "You help."}, {"role": "user", "content": "Hi"}], "variables": {"tools": [{"type": "function", "function": {"name": "get_weather", "description": "Weather \"now\"\n", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]}},
 {"name": "second system message mid-conversation", "messages": [{"role": "system", "content": "A"}, {"role": "user", "content": "B"}, {"role": "system", "content": "C"}, {"role": "user", "content": "D"}], "variables": {}},
]
for c in cases:
    v = dict(c["variables"]); v.setdefault("add_generation_prompt", True)
    c["expected"] = t.render(messages=c["messages"], bos_token="", eos_token=cfg.get("eos_token"), **v)
json.dump(cases, sys.stdout, indent=1, ensure_ascii=False)
