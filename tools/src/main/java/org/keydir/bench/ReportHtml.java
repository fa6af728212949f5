package org.keydir.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * report.html: one self-contained page (inline SVG and CSS, nothing fetched) drawn from
 * results.json.
 */
final class ReportHtml {
  private ReportHtml() {}

  static String render(JsonNode results) {
    StringBuilder sb = new StringBuilder(64 * 1024);
    JsonNode opt = results.path("options");
    sb.append("<!doctype html><html><head><meta charset='utf-8'><title>keydir bench: ")
        .append(escape(opt.path("base").asText()))
        .append("</title><style>")
        .append(
            "body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse;font-size:13px}")
        .append(
            "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f3f3f3}")
        .append(
            "td.l,th.l{text-align:left}.bad{color:#b00;font-weight:bold}.charts{display:flex;flex-wrap:wrap;gap:12px}")
        .append("h2{margin-top:32px}</style></head><body>");
    sb.append("<h1>keydir bench</h1><p>")
        .append(escape(opt.path("base").asText()))
        .append(" · started ")
        .append(escape(results.path("started").asText()))
        .append(" · ")
        .append(opt.path("devices").asInt())
        .append(" devices · ")
        .append(escape(opt.path("limit").asText()))
        .append(" per level after a ")
        .append(opt.path("warmup_s").asDouble())
        .append(" s warm-up · batch ")
        .append(opt.path("batch").asInt())
        .append(" · bulk ")
        .append(opt.path("bulk").asInt())
        .append(" · client machine: ")
        .append(results.path("machine").path("cores").asInt())
        .append(" cores, Java ")
        .append(escape(results.path("machine").path("java").asText()))
        .append("</p>");
    checks(sb, results.path("checks"));
    table(sb, results.path("levels"));
    for (String phase : phases(results.path("levels"))) charts(sb, phase, results.path("levels"));
    sb.append(
        "<p style='color:#777;font-size:12px'>Closed-loop load: each concurrent client sends its next request when the "
            + "previous one is answered. Latency is per request, from send to the end of the answer. Empty claims: claims that "
            + "returned no one-time key (nothing or the fallback key) for a device the bench knew still had one.</p>");
    return sb.append("</body></html>\n").toString();
  }

  private static void checks(StringBuilder sb, JsonNode c) {
    long dup = c.path("verification_errors").path(LevelStats.DUPLICATE_KEY).asLong();
    long empty = c.path("empty_claims").asLong();
    long mism = c.path("final_count_mismatches").asLong();
    sb.append("<h2>Checks (whole run, warm-ups included)</h2><ul>")
        .append(item(dup == 0, "keys handed out twice: " + dup))
        .append(item(empty == 0, "empty claims while the device still had keys: " + empty))
        .append(
            item(
                mism == 0,
                "devices whose final key count differs from the bench's ledger: "
                    + mism
                    + " of "
                    + c.path("final_count_devices_checked").asLong()))
        .append(
            item(
                c.path("verification_errors").isEmpty(),
                "verification errors: " + c.path("verification_errors")))
        .append(
            item(
                c.path("errors_by_status").isEmpty(),
                "error statuses: " + c.path("errors_by_status")))
        .append("</ul>");
  }

  private static String item(boolean good, String text) {
    return "<li" + (good ? "" : " class='bad'") + ">" + escape(text) + "</li>";
  }

  private static void table(StringBuilder sb, JsonNode levels) {
    sb.append(
            "<h2>Figures</h2><table><tr><th class='l'>phase</th><th>clients</th><th>req/s</th><th>keys/s</th>")
        .append(
            "<th>p50 ms</th><th>p90 ms</th><th>p99 ms</th><th>max ms</th><th>errors</th><th>empty claims</th>")
        .append(
            "<th>server CPU ms/req</th><th>bench CPU ms/req</th><th>server RSS MB</th><th>note</th></tr>");
    for (JsonNode l : levels) {
      JsonNode lat = l.path("latency_ms");
      sb.append("<tr><td class='l'>")
          .append(escape(l.path("phase").asText()))
          .append("</td>")
          .append(td(l.path("concurrency").asText()))
          .append(td(SvgCharts.fmt(l.path("requests_per_s").asDouble())))
          .append(td(SvgCharts.fmt(l.path("keys_per_s").asDouble())))
          .append(td(SvgCharts.fmt(lat.path("p50").asDouble())))
          .append(td(SvgCharts.fmt(lat.path("p90").asDouble())))
          .append(td(SvgCharts.fmt(lat.path("p99").asDouble())))
          .append(td(SvgCharts.fmt(lat.path("max").asDouble())));
      long errors = l.path("errors").asLong();
      sb.append(
          errors == 0
              ? td("0")
              : "<td class='bad'>"
                  + errors
                  + " "
                  + escape(l.path("errors_by_status").toString())
                  + escape(l.path("verification_errors").toString())
                  + "</td>");
      long empty = l.path("empty_claims").asLong();
      sb.append(empty == 0 ? td("0") : "<td class='bad'>" + empty + "</td>");
      JsonNode server = l.path("server");
      sb.append(
          td(
              server.has("cpu_ms_per_request")
                  ? SvgCharts.fmt(server.path("cpu_ms_per_request").asDouble())
                  : "–"));
      JsonNode client = l.path("client");
      sb.append(
          td(
              client.has("cpu_ms_per_request")
                  ? SvgCharts.fmt(client.path("cpu_ms_per_request").asDouble())
                  : "–"));
      List<String> rss = new ArrayList<>();
      server
          .path("rss_max_mb")
          .fields()
          .forEachRemaining(e -> rss.add(e.getKey() + " " + Math.round(e.getValue().asDouble())));
      sb.append(td(rss.isEmpty() ? "–" : String.join(", ", rss)));
      sb.append(td(l.path("stock_ran_out").asBoolean() ? "keys ran out; ended early" : ""))
          .append("</tr>");
    }
    sb.append("</table>");
  }

  private static void charts(StringBuilder sb, String phase, JsonNode levels) {
    List<String> labels = new ArrayList<>();
    List<Double> rps = new ArrayList<>();
    List<Double> kps = new ArrayList<>();
    Map<String, List<double[]>> curves = new LinkedHashMap<>();
    for (JsonNode l : levels) {
      if (!l.path("phase").asText().equals(phase)) continue;
      String c = l.path("concurrency").asText();
      labels.add(c);
      rps.add(l.path("requests_per_s").asDouble());
      kps.add(l.path("keys_per_s").asDouble());
      List<double[]> pts = new ArrayList<>();
      l.path("latency_ms")
          .path("percentiles")
          .forEach(p -> pts.add(new double[] {p.get(0).asDouble(), p.get(1).asDouble()}));
      curves.put(c + " clients", pts);
    }
    sb.append("<h2>")
        .append(escape(phase))
        .append("</h2><div class='charts'>")
        .append(SvgCharts.bars(phase + ": requests/s", labels, rps, SvgCharts.COLOURS[0]))
        .append(SvgCharts.bars(phase + ": keys/s", labels, kps, SvgCharts.COLOURS[2]))
        .append(SvgCharts.percentiles(phase + ": latency by percentile", curves))
        .append("</div>");
  }

  private static Set<String> phases(JsonNode levels) {
    Set<String> out = new LinkedHashSet<>();
    levels.forEach(l -> out.add(l.path("phase").asText()));
    return out;
  }

  private static String td(String s) {
    return "<td>" + escape(s) + "</td>";
  }

  static String escape(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (char c : s.toCharArray()) {
      switch (c) {
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '&' -> sb.append("&amp;");
        case '\'' -> sb.append("&#39;");
        case '"' -> sb.append("&quot;");
        default -> sb.append(c);
      }
    }
    return sb.toString();
  }
}
