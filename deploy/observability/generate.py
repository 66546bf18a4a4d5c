#!/usr/bin/env python3
"""Writes the five Grafana dashboards of this folder. Edit this file, run it, commit both.

  python3 deploy/observability/generate.py

Every query selects {namespace="$namespace"}; latency panels show p99/p95/p90/p50 from
histogram_quantile over _bucket rates plus the average (sum/count), as the reference's dashboards do.
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
DS = {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}
NS = 'namespace="$namespace"'
RATE = "[$__rate_interval]"


def sel(extra=""):
    return "{" + NS + ("," + extra if extra else "") + "}"


class Dashboard:
    def __init__(self, uid, title, description):
        self.uid, self.title, self.description = uid, title, description
        self.panels, self.next_id, self.x, self.y, self.row_height = [], 1, 0, 0, 0

    def row(self, title):
        self._newline()
        self.panels.append({"type": "row", "title": title, "id": self._id(), "collapsed": False,
                            "gridPos": {"h": 1, "w": 24, "x": 0, "y": self.y}, "panels": []})
        self.y += 1

    def panel(self, title, targets, unit="short", kind="timeseries", width=8, description=""):
        if self.x + width > 24:
            self._newline()
        height = 8
        panel = {"type": kind, "title": title, "id": self._id(), "datasource": DS,
                 "description": description,
                 "gridPos": {"h": height, "w": width, "x": self.x, "y": self.y},
                 "targets": [dict(t, refId=chr(ord("A") + i), datasource=DS)
                             for i, t in enumerate(targets)]}
        if kind == "heatmap":
            panel["options"] = {"calculate": False, "yAxis": {"unit": unit},
                                "cellGap": 1, "color": {"scheme": "Spectral", "mode": "scheme"}}
            for t in panel["targets"]:
                t["format"] = "heatmap"
        else:
            panel["fieldConfig"] = {"defaults": {"unit": unit}, "overrides": []}
            panel["options"] = {"legend": {"displayMode": "list", "placement": "bottom",
                                           "showLegend": True},
                                "tooltip": {"mode": "multi", "sort": "desc"}}
        self.panels.append(panel)
        self.x += width
        self.row_height = max(self.row_height, height)

    def _newline(self):
        self.y += self.row_height
        self.x, self.row_height = 0, 0

    def _id(self):
        self.next_id += 1
        return self.next_id - 1

    def json(self):
        return {
            "uid": self.uid, "title": self.title, "description": self.description,
            "tags": ["llumnix"], "editable": True, "schemaVersion": 39, "version": 1,
            "time": {"from": "now-1h", "to": "now"}, "refresh": "30s",
            "timezone": "browser", "graphTooltip": 1,
            "annotations": {"list": []}, "links": [],
            "templating": {"list": [
                {"name": "DS_PROMETHEUS", "label": "Data source", "type": "datasource",
                 "query": "prometheus", "current": {}, "hide": 0, "refresh": 1},
                {"name": "namespace", "label": "Namespace", "type": "query", "datasource": DS,
                 "definition": "label_values(namespace)",
                 "query": {"query": "label_values(namespace)", "refId": "namespace"},
                 "refresh": 2, "sort": 1, "current": {}, "hide": 0, "includeAll": False,
                 "multi": False},
            ]},
            "panels": self.panels,
        }


def target(expr, legend):
    return {"expr": expr, "legendFormat": legend, "range": True}


def quantiles(metric, by="", func="rate", extra=""):
    """p99/p95/p90/p50 and the average of a histogram, optionally split by a label."""
    group = "le" + ("," + by if by else "")
    prefix = "{{" + by + "}} " if by else ""
    s = sel(extra)
    out = [target("histogram_quantile(%s, sum by(%s)(%s(%s_bucket%s%s)))"
                  % (q, group, func, metric, s, RATE), prefix + "p" + str(int(float(q) * 100)))
           for q in ("0.99", "0.95", "0.9", "0.5")]
    avg_by = " by(%s)" % by if by else ""
    out.append(target("sum%s(%s(%s_sum%s%s)) / sum%s(%s(%s_count%s%s))"
                      % (avg_by, func, metric, s, RATE, avg_by, func, metric, s, RATE),
                      prefix + "avg"))
    return out


def heatmap(metric):
    return [target("sum by(le)(increase(%s_bucket%s%s))" % (metric, sel(), RATE), "{{le}}")]


def request_dashboard():
    d = Dashboard("llumnix-request", "Llumnix Request Dashboard",
                  "End-user request metrics from the gateway: rates, tokens, latency, cache hits.")
    d.row("Requests")
    d.panel("Request Rate", [target("sum(rate(request_total%s%s))" % (sel(), RATE), "requests/s")],
            "reqps")
    d.panel("Request Rate by Status",
            [target("sum by(status_code)(rate(request_total%s%s))" % (sel(), RATE),
                    "HTTP {{status_code}}")], "reqps")
    d.panel("Request Retry & Fallback Rate", [
        target("sum(rate(request_retry_total%s%s))" % (sel(), RATE), "retry"),
        target("sum(rate(request_fallback_total%s%s))" % (sel(), RATE), "fallback"),
        target("sum(rate(request_fallback_retry_success_total%s%s))" % (sel(), RATE),
               "retry success after fallback (429)")], "reqps")
    d.panel("Input / Output Token Throughput", [
        target("sum(rate(request_input_tokens_total%s%s))" % (sel(), RATE), "input tokens/s"),
        target("sum(rate(request_output_tokens_total%s%s))" % (sel(), RATE), "output tokens/s")],
            "short")
    d.panel("Input Token Distribution", heatmap("request_input_tokens"), "short", "heatmap")
    d.panel("Output Token Distribution", heatmap("request_output_tokens"), "short", "heatmap")
    d.row("Latency")
    d.panel("E2E Latency", quantiles("request_e2e_latency_seconds"), "s", width=12)
    d.panel("TTFT", quantiles("request_ttft_milliseconds"), "ms", width=12)
    d.panel("TPOT", quantiles("request_tpot_milliseconds"), "ms", width=12,
            description="(E2E - TTFT) / (output tokens - 1)")
    d.panel("ITL", quantiles("request_itl_milliseconds"), "ms", width=12)
    d.row("Prefix cache")
    d.panel("Prefix Cache Hit Ratio",
            quantiles("request_prefix_cache_hit_percent", func="increase"), "percent", width=12)
    d.panel("Max Prefix Cache Hit Ratio",
            quantiles("request_max_prefix_cache_hit_percent", func="increase"), "percent",
            width=12)
    return d


def component_dashboard():
    d = Dashboard("llumnix-component", "Llumnix Component Dashboard",
                  "Gateway stages, scheduler events and CMS refreshes, and each process's runtime.")
    d.row("Gateway")
    d.panel("Queue Duration", quantiles("request_queue_duration_milliseconds"), "ms")
    d.panel("Preprocess Duration", quantiles("request_preprocess_duration_milliseconds"), "ms")
    d.panel("Schedule Duration", quantiles("request_schedule_duration_milliseconds"), "ms")
    d.panel("Postprocess Duration", quantiles("request_postprocess_duration_milliseconds"), "ms")
    d.panel("Gateway Requests", [
        target("sum(gateway_pending_requests%s)" % sel(), "pending"),
        target("sum(gateway_current_requests%s)" % sel(), "current")])
    d.row("Scheduler")
    d.panel("Scheduling Events", [
        target("sum(rate(scheduler_scheduling_total%s%s))" % (sel(), RATE), "scheduled"),
        target("sum by(error_type)(rate(scheduler_scheduling_failed_total%s%s))" % (sel(), RATE),
               "failed {{error_type}}")], "ops")
    d.panel("Rescheduling Events", [
        target("sum by(rescheduling_req_select_rule, rescheduling_req_select_order)"
               "(rate(scheduler_rescheduling_total%s%s))" % (sel(), RATE),
               "{{rescheduling_req_select_rule}} {{rescheduling_req_select_order}}"),
        target("sum(rate(scheduler_rescheduling_failed_total%s%s))" % (sel(), RATE), "failed")],
            "ops")
    d.panel("CMS Refresh Metadata Duration",
            quantiles("scheduler_cms_refresh_metadata_duration_milliseconds"), "ms")
    d.panel("CMS Refresh Status Duration",
            quantiles("scheduler_cms_refresh_status_duration_milliseconds"), "ms")
    d.panel("Full-Mode Schedule Duration",
            quantiles("request_full_mode_schedule_duration_milliseconds"), "ms")
    d.panel("Query Prefix Cache Hit Duration",
            quantiles("request_query_prefix_cache_hit_duration_milliseconds"), "ms")
    d.panel("Calc Prefix Cache Hit Duration",
            quantiles("request_calc_prefix_cache_hit_duration_milliseconds"), "ms")
    d.row("Runtime")
    d.panel("Uptime / Threads / JVM Memory", [
        target("uptime_seconds%s" % sel(), "{{job}} uptime s"),
        target("jvm_threads_current%s" % sel(), "{{job}} threads"),
        target('sum by(job)(jvm_memory_used_bytes%s)' % sel('area="heap"'), "{{job}} heap bytes")],
            "short", description="JVM runtime metrics take the place of the reference's Go ones.")
    d.panel("JVM Memory", [
        target("sum by(job, area)(jvm_memory_used_bytes%s)" % sel(), "{{job}} {{area}} used"),
        target('sum by(job)(jvm_memory_max_bytes%s)' % sel('area="heap"'), "{{job}} heap max")],
            "bytes")
    d.panel("GC Time and CPU", [
        target("sum by(job)(rate(jvm_gc_collection_seconds_sum%s%s))" % (sel(), RATE),
               "{{job}} GC"),
        target("sum by(job)(rate(process_cpu_seconds_total%s%s))" % (sel(), RATE),
               "{{job}} CPU")], "percentunit")
    return d


CMS_REQUESTS = ["running_requests", "waiting_requests", "loading_requests",
                "scheduler_waiting_to_decode_requests", "scheduler_running_to_decode_requests",
                "hybrid_scheduler_waiting_to_decode_requests"]
CMS_PREFILL_TOKENS = ["uncomputed_tokens_all_waiting_prefills",
                      "uncomputed_tokens_scheduler_running_prefills",
                      "unallocated_tokens_scheduler_running_prefills"]
CMS_DECODE_TOKENS = ["unallocated_tokens_hybrid_scheduler_waiting_decodes",
                     "hybrid_scheduler_waiting_to_decode_tokens",
                     "scheduler_waiting_to_decode_tokens", "scheduler_running_to_decode_tokens",
                     "tokens_loading_requests"]
CMS_INFLIGHT_REQUESTS = ["inflight_dispatch_requests", "inflight_dispatch_prefill_requests",
                         "inflight_dispatch_decode_requests"]
CMS_INFLIGHT_TOKENS = ["uncomputed_tokens_inflight_dispatch_prefill_requests",
                       "tokens_inflight_dispatch_decode_requests"]


def gauges(prefix, names, infer_type):
    return [target("%s%s%s" % (prefix, n, sel('infer_type="%s"' % infer_type)),
                   "{{instance_id}} " + n) for n in names]


def cms_dashboard():
    d = Dashboard("llumnix-cms", "Llumnix CMS Dashboard",
                  "Per-instance status from the cluster meta store (full mode), by instance type, "
                  "and the state of the instance each scheduling decision selected.")
    for infer_type in ("prefill", "decode", "neutral"):
        d.row(infer_type.capitalize())
        p = "instance_cms_"
        d.panel("CMS Requests", gauges(p, CMS_REQUESTS, infer_type))
        d.panel("CMS Used Tokens", gauges(p, ["used_gpu_tokens"], infer_type))
        d.panel("CMS Prefill Tokens", gauges(p, CMS_PREFILL_TOKENS, infer_type))
        d.panel("CMS Decode Tokens", gauges(p, CMS_DECODE_TOKENS, infer_type))
        d.panel("CMS Inflight Dispatch Requests", gauges(p, CMS_INFLIGHT_REQUESTS, infer_type))
        d.panel("CMS Inflight Dispatch Tokens", gauges(p, CMS_INFLIGHT_TOKENS, infer_type))
        d.panel("CMS KV Cache Usage Ratio",
                gauges(p, ["kv_cache_usage_ratio_projected"], infer_type), "percentunit")
        d.panel("CMS Decode Batch Size", gauges(p, ["decode_batch_size"], infer_type))
        d.panel("CMS All Prefill/Decode Tokens",
                gauges(p, ["all_prefills_tokens_num", "all_decodes_tokens_num"], infer_type))
    d.row("Selected Instance")
    for title, metric, unit in [
            ("Selected Instance KV Cache Usage Ratio",
             "selected_instance_kv_cache_usage_ratio_projected", "percentunit"),
            ("Selected Instance Decode Batch Size", "selected_instance_decode_batch_size", "short"),
            ("Selected Instance Prefill Tokens", "selected_instance_all_prefills_tokens_num",
             "short"),
            ("Selected Instance Decode Tokens", "selected_instance_all_decodes_tokens_num",
             "short"),
            ("Selected Instance Predicted TTFT", "selected_instance_predicted_ttft", "ms"),
            ("Selected Instance Predicted TPOT", "selected_instance_predicted_tpot", "ms")]:
        d.panel(title, quantiles(metric, by="infer_type"), unit, width=12)
    return d


def lrs_dashboard():
    d = Dashboard("llumnix-lrs", "Llumnix LRS Dashboard",
                  "Per-instance local real-time state the scheduler keeps in lite mode.")
    for infer_type in ("prefill", "decode", "neutral"):
        d.row(infer_type.capitalize())
        d.panel("LRS Requests", gauges("instance_lrs_",
                ["running_requests", "waiting_requests", "total_requests"], infer_type),
                width=12)
        d.panel("LRS Tokens", gauges("instance_lrs_",
                ["running_tokens", "waiting_tokens", "total_tokens"], infer_type), width=12)
    return d


def vllm_dashboard():
    d = Dashboard("llumnix-vllm", "vLLM Dashboard",
                  "Engine-native vLLM metrics of every engine (vLLM or the Llumnix simulator).")
    d.row("Latency")
    d.panel("E2E Request Latency", quantiles("vllm:e2e_request_latency_seconds"), "s")
    d.panel("Time To First Token Latency", quantiles("vllm:time_to_first_token_seconds"), "s")
    d.panel("Inter-Token Latency", quantiles("vllm:inter_token_latency_seconds"), "s")
    d.row("Engine state")
    d.panel("Scheduler State", [
        target("vllm:num_requests_running%s" % sel(), "{{pod}}{{instance}} running"),
        target("vllm:num_requests_waiting%s" % sel(), "{{pod}}{{instance}} waiting")])
    d.panel("Cache Utilization", [
        target("vllm:kv_cache_usage_perc%s" % sel(), "{{pod}}{{instance}}")], "percentunit")
    d.panel("Token Throughput", [
        target("sum(rate(vllm:prompt_tokens_total%s%s))" % (sel(), RATE), "prompt tokens/s"),
        target("sum(rate(vllm:generation_tokens_total%s%s))" % (sel(), RATE),
               "generation tokens/s")])
    d.panel("Finish Reason", [
        target("sum by(finished_reason)(increase(vllm:request_success_total%s%s))"
               % (sel(), RATE), "{{finished_reason}}")])
    d.panel("Queue Time", quantiles("vllm:request_queue_time_seconds"), "s")
    d.panel("Prefill and Decode Time", [
        target("histogram_quantile(0.99, sum by(le)(rate(vllm:request_prefill_time_seconds_bucket"
               "%s%s)))" % (sel(), RATE), "prefill p99"),
        target("histogram_quantile(0.5, sum by(le)(rate(vllm:request_prefill_time_seconds_bucket"
               "%s%s)))" % (sel(), RATE), "prefill p50"),
        target("histogram_quantile(0.99, sum by(le)(rate(vllm:request_decode_time_seconds_bucket"
               "%s%s)))" % (sel(), RATE), "decode p99"),
        target("histogram_quantile(0.5, sum by(le)(rate(vllm:request_decode_time_seconds_bucket"
               "%s%s)))" % (sel(), RATE), "decode p50")], "s")
    d.row("Requests")
    d.panel("Request Prompt Length", heatmap("vllm:request_prompt_tokens"), "short", "heatmap")
    d.panel("Request Generation Length", heatmap("vllm:request_generation_tokens"), "short",
            "heatmap")
    d.panel("Max Generation Tokens in Sequence Group",
            quantiles("vllm:request_max_num_generation_tokens"))
    return d


if __name__ == "__main__":
    for name, build in [("llumnix-request-dashboard", request_dashboard),
                        ("llumnix-component-dashboard", component_dashboard),
                        ("llumnix-cms-dashboard", cms_dashboard),
                        ("llumnix-lrs-dashboard", lrs_dashboard),
                        ("vllm-dashboard", vllm_dashboard)]:
        with open(os.path.join(HERE, name + ".json"), "w") as f:
            json.dump(build().json(), f, indent=2)
            f.write("\n")
