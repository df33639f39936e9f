/* darkfleet map views, shared by the self-contained report (data inlined) and the served map
 * page (data from the REST API). Both hand Darkfleet.start() a "source" object with the same
 * promise-returning methods, so the two pages cannot drift apart in what they show. */
(function (global) {
  "use strict";

  var EVENT_COLORS = {
    encounter: "#e6550d", loitering: "#d9a400", gap: "#756bb1", dark_sts: "#d62728",
    spoofing: "#e377c2", identity_change: "#17becf", draught_change: "#2ca02c", port_visit: "#7f7f7f"
  };
  var TRACK_COLORS = ["#1f5fbf", "#e8590c"];
  // same order as darkfleet.report.payload.EVENT_PRIORITY: concealment before routine
  var EVENT_PRIORITY = ["dark_sts", "spoofing", "identity_change", "gap", "draught_change", "encounter",
    "loitering", "port_visit"];
  function rank(ev) {
    var i = EVENT_PRIORITY.indexOf(ev.event_type);
    return i < 0 ? 99 : i;
  }
  var HOUR_MS = 3600000;

  function esc(value) {
    return String(value == null ? "" : value).replace(/[&<>"']/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;"}[c];
    });
  }

  function fmtTime(ms) {
    return ms == null ? "" : new Date(ms).toISOString().slice(0, 16).replace("T", " ") + "Z";
  }

  function fmtValue(value) {
    if (value === null || value === undefined) return "";
    if (typeof value === "number") return String(Math.round(value * 1000) / 1000);
    if (typeof value === "object") return JSON.stringify(value);
    return String(value);
  }

  function el(id) { return document.getElementById(id); }

  function createMap(container, land) {
    var map = L.map(container, {worldCopyJump: true});
    if (land && land.objects && land.objects.land) {
      L.geoJSON(topojson.feature(land, land.objects.land), {
        interactive: false,
        style: {color: "#8c8474", weight: 0.7, fillColor: "#efe9dc", fillOpacity: 1}
      }).addTo(map);
    }
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("Coastline: Natural Earth 1:50m via world-atlas · Leaflet");
    map.setView([20, 0], 2);
    return map;
  }

  /* One Leaflet layer group per event type, toggled from a layer control. */
  function EventLayers(map, onClick) {
    this.map = map;
    this.onClick = onClick;
    this.groups = {};
    this.control = L.control.layers(null, null, {collapsed: false, position: "topright"}).addTo(map);
  }

  EventLayers.prototype.group = function (type) {
    if (!this.groups[type]) {
      var g = L.layerGroup().addTo(this.map);
      var color = EVENT_COLORS[type] || "#333";
      this.groups[type] = g;
      this.control.addOverlay(g, "<span class='df-swatch' style='background:" + color + "'></span>" + esc(type));
    }
    return this.groups[type];
  };

  EventLayers.prototype.setEvents = function (events) {
    var self = this;
    Object.keys(this.groups).forEach(function (t) { self.groups[t].clearLayers(); });
    var bounds = L.latLngBounds([]);
    // layer list in priority order, but routine events drawn first so concealment ends up on top
    var ordered = events.slice().sort(function (a, b) { return rank(a) - rank(b); });
    ordered.forEach(function (ev) { self.group(ev.event_type); });
    ordered.reverse().forEach(function (ev) {
      if (ev.lat == null || ev.lon == null) return;
      var marker = L.circleMarker([ev.lat, ev.lon], {
        radius: 5 + 5 * (ev.confidence || 0), color: "#222", weight: 1,
        fillColor: EVENT_COLORS[ev.event_type] || "#333", fillOpacity: 0.85,
        className: "df-event df-event-" + ev.event_type
      });
      marker.bindTooltip(esc(ev.event_type) + " · " + esc(ev.event_id) + "<br>" + fmtTime(ev.start_ms));
      marker.on("click", function () { self.onClick(ev); });
      marker.addTo(self.group(ev.event_type));
      bounds.extend([ev.lat, ev.lon]);
    });
    return bounds;
  };

  /* Tracks as solid lines, silences (gap_before) as dashed segments between the two fixes. */
  function drawTracks(layer, tracks) {
    layer.clearLayers();
    var bounds = L.latLngBounds([]);
    tracks.forEach(function (tr, i) {
      var color = TRACK_COLORS[i % TRACK_COLORS.length];
      var seg = [];
      var flush = function () {
        if (seg.length > 1) L.polyline(seg, {color: color, weight: 2.5, className: "df-track"}).addTo(layer);
      };
      for (var k = 0; k < tr.t_ms.length; k++) {
        var p = [tr.lat[k], tr.lon[k]];
        if (tr.gap_before[k] && seg.length) {
          flush();
          L.polyline([seg[seg.length - 1], p], {color: color, weight: 2, dashArray: "6 7", className: "df-gap"})
            .bindTooltip("AIS silent " + ((tr.t_ms[k] - tr.t_ms[k - 1]) / HOUR_MS).toFixed(1) + " h").addTo(layer);
          seg = [];
        }
        seg.push(p);
        bounds.extend(p);
      }
      flush();
    });
    return bounds;
  }

  /* A small SVG time-series chart; gaps in the data are left as breaks in the line. */
  function lineChart(title, unit, series, spanStart, spanEnd) {
    var W = 340, H = 130, L0 = 38, R0 = 8, T0 = 18, B0 = 22;
    var t0 = Infinity, t1 = -Infinity, v0 = Infinity, v1 = -Infinity;
    series.forEach(function (s) {
      s.t.forEach(function (t, k) {
        if (s.v[k] == null) return;
        t0 = Math.min(t0, t); t1 = Math.max(t1, t); v0 = Math.min(v0, s.v[k]); v1 = Math.max(v1, s.v[k]);
      });
    });
    if (!isFinite(t0)) return "<div class='df-chart-empty'>" + esc(title) + ": no data</div>";
    if (spanStart != null) { t0 = Math.min(t0, spanStart); t1 = Math.max(t1, spanEnd); }
    if (t1 === t0) t1 = t0 + HOUR_MS;
    var pad = (v1 - v0) * 0.1 || 1; v0 -= pad; v1 += pad;
    var x = function (t) { return L0 + (t - t0) / (t1 - t0) * (W - L0 - R0); };
    var y = function (v) { return T0 + (1 - (v - v0) / (v1 - v0)) * (H - T0 - B0); };
    var out = ["<svg class='df-chart' viewBox='0 0 " + W + " " + H + "' width='" + W + "' height='" + H + "'>"];
    out.push("<text x='4' y='12' class='df-chart-title'>" + esc(title) + " (" + esc(unit) + ")</text>");
    if (spanStart != null) {
      out.push("<rect x='" + x(spanStart) + "' y='" + T0 + "' width='" + Math.max(1, x(spanEnd) - x(spanStart)) +
        "' height='" + (H - T0 - B0) + "' class='df-chart-span'/>");
    }
    [v0 + pad, (v0 + v1) / 2, v1 - pad].forEach(function (v) {
      out.push("<text x='" + (L0 - 4) + "' y='" + (y(v) + 3) + "' text-anchor='end' class='df-chart-tick'>" + v.toFixed(1) + "</text>");
    });
    [t0, t1].forEach(function (t, k) {
      out.push("<text x='" + x(t) + "' y='" + (H - 6) + "' text-anchor='" + (k ? "end" : "start") +
        "' class='df-chart-tick'>" + fmtTime(t).slice(5) + "</text>");
    });
    series.forEach(function (s) {
      var d = "", pen = "M";
      s.t.forEach(function (t, k) {
        if (s.v[k] == null || (s.breaks && s.breaks[k])) { pen = "M"; }
        if (s.v[k] == null) return;
        if (s.step && pen === "L") d += "L" + x(t).toFixed(1) + "," + y(s.v[k - 1]).toFixed(1);
        d += pen + x(t).toFixed(1) + "," + y(s.v[k]).toFixed(1);
        pen = "L";
      });
      if (s.step && s.t.length) d += "L" + x(t1).toFixed(1) + "," + y(s.v[s.v.length - 1]).toFixed(1);
      out.push("<path d='" + d + "' fill='none' stroke='" + s.color + "' stroke-width='1.6'/>");
    });
    out.push("</svg>");
    return out.join("");
  }

  function sanctionsHtml(vessel) {
    var hits = (vessel && vessel.sanctions) || [];
    if (!hits.length) return "<p class='df-muted'>No sanctions match.</p>";
    return "<ul class='df-sanctions'>" + hits.map(function (h) {
      return "<li><b>" + esc(h.list || h.source || "list") + "</b> " + esc(fmtValue(h.entry || h.name || "")) +
        " <span class='df-muted'>" + esc(Object.keys(h).filter(function (k) {
          return ["list", "source", "entry", "name"].indexOf(k) < 0;
        }).map(function (k) { return k + "=" + fmtValue(h[k]); }).join(", ")) + "</span></li>";
    }).join("") + "</ul>";
  }

  function factorsHtml(vessel) {
    var factors = (vessel && vessel.risk_factors) || [];
    if (!factors.length) return "<p class='df-muted'>No risk factors.</p>";
    return "<table class='df-factors'>" + factors.map(function (f) {
      return "<tr><td>" + esc(f.factor) + "</td><td class='df-num'>+" + esc(fmtValue(f.points)) +
        "</td><td>" + esc(fmtValue(f.evidence)) + "</td></tr>";
    }).join("") + "</table>";
  }

  function identityHtml(vessel) {
    var rows = (vessel && vessel.identity_history) || [];
    if (!rows.length) return "";
    return "<h3>Identity history</h3><table class='df-evidence'>" + rows.map(function (r) {
      return "<tr><th>" + esc((r.first_seen_utc || "").slice(0, 16)) + "</th><td>" + esc(r.name || "") +
        " · " + esc(r.callsign || "") + (r.imo ? " · IMO " + esc(r.imo) : "") + "</td></tr>";
    }).join("") + "</table>";
  }

  function vesselLabel(v, mmsi, names) {
    var name = (v && v.name) || names[String(mmsi)] || "unknown";
    return esc(name) + " <span class='df-muted'>MMSI " + esc(mmsi) + (v && v.imo ? " · IMO " + esc(v.imo) : "") +
      (v && v.flag ? " · " + esc(v.flag) : "") + (v && v.risk_score != null ? " · risk " + esc(fmtValue(v.risk_score)) : "") + "</span>";
  }

  function detailHtml(ctx) {
    var ev = ctx.event, d = ev.details || {};
    var hours = ev.end_ms != null ? ((ev.end_ms - ev.start_ms) / HOUR_MS).toFixed(1) + " h" : "";
    var html = ["<h2><span class='df-swatch' style='background:" + (EVENT_COLORS[ev.event_type] || "#333") + "'></span>" +
      esc(ev.event_type) + " <span class='df-muted'>" + esc(ev.event_id) + "</span></h2>"];
    html.push("<p>" + fmtTime(ev.start_ms) + " → " + fmtTime(ev.end_ms) + " (" + hours + ") · confidence " +
      esc(fmtValue(ev.confidence)) + (ev.in_port ? " · in port" : "") + "</p>");
    html.push("<p class='df-v0'>● " + vesselLabel(ctx.vessel, ev.mmsi, ctx.names) + "</p>");
    if (ev.other_mmsi != null) html.push("<p class='df-v1'>● " + vesselLabel(ctx.other, ev.other_mmsi, ctx.names) + "</p>");
    html.push("<h3>Evidence</h3><table class='df-evidence'>" + Object.keys(d).map(function (k) {
      return "<tr><th>" + esc(k) + "</th><td>" + esc(fmtValue(d[k])) + "</td></tr>";
    }).join("") + "</table>");
    var series = function (key) {
      return ctx.tracks.map(function (tr, i) {
        return {t: tr.t_ms, v: tr[key], breaks: tr.gap_before, color: TRACK_COLORS[i % 2]};
      });
    };
    var draught = [ev.mmsi, ev.other_mmsi].filter(function (m) { return m != null; }).map(function (m, i) {
      var s = ctx.draught[String(m)] || {t_ms: [], draught_m: []};
      return {t: s.t_ms, v: s.draught_m, color: TRACK_COLORS[i], step: true};
    });
    if (!ctx.tracks.length) html.push("<p class='df-muted'>No positions available around this event.</p>");
    html.push("<div class='df-charts'>" + lineChart("Speed over ground", "kn", series("sog_kn"), ev.start_ms, ev.end_ms) +
      lineChart("Draught", "m", draught, ev.start_ms, ev.end_ms) + "</div>");
    html.push("<h3>Sanctions</h3>" + sanctionsHtml(ctx.vessel) + (ev.other_mmsi != null ? sanctionsHtml(ctx.other) : ""));
    html.push("<h3>Risk factors</h3>" + factorsHtml(ctx.vessel));
    return html.join("");
  }

  function riskTableHtml(vessels) {
    var rows = vessels.map(function (v, i) {
      var factors = (v.risk_factors || []).map(function (f) { return esc(f.factor) + " +" + esc(fmtValue(f.points)); }).join(", ");
      return "<tr data-mmsi='" + esc(v.mmsi) + "'><td class='df-num'>" + (i + 1) + "</td><td>" + esc(v.name || "") +
        "</td><td>" + esc(v.mmsi) + "</td><td>" + esc(v.imo || "") + "</td><td>" + esc(v.flag || "") +
        "</td><td class='df-num'><span class='df-bar' style='width:" + Math.min(100, v.risk_score || 0) * 0.6 + "px'></span>" +
        esc(fmtValue(v.risk_score)) + "</td><td>" + factors + "</td><td>" + ((v.sanctions || []).length ? "<b class='df-hit'>yes</b>" : "") +
        "</td></tr>";
    });
    return "<thead><tr><th>#</th><th>Name</th><th>MMSI</th><th>IMO</th><th>Flag</th><th>Risk</th><th>Factors</th>" +
      "<th>Sanctioned</th></tr></thead><tbody>" + rows.join("") + "</tbody>";
  }

  function pickFirst(events, mmsi) {
    var own = events.filter(function (e) { return e.mmsi === mmsi || e.other_mmsi === mmsi; });
    own.sort(function (a, b) { return (b.confidence || 0) - (a.confidence || 0) || rank(a) - rank(b); });
    return own[0] || null;
  }

  /* Wire the page: map, event layers, time slider, search, risk table and event detail. */
  function start(source, options) {
    var map = createMap("df-map", options.land);
    var trackLayer = L.layerGroup().addTo(map);
    var state = {events: [], vessels: [], names: options.names || {}, selected: null};
    var layers = new EventLayers(map, function (ev) { selectEvent(ev); });

    function vesselByMmsi(mmsi) {
      if (mmsi == null) return Promise.resolve(null);
      return source.vessel(mmsi);
    }

    function selectEvent(ev) {
      state.selected = ev;
      el("df-detail").innerHTML = "<p class='df-muted'>Loading " + esc(ev.event_id) + "…</p>";
      return Promise.all([source.eventTracks(ev), vesselByMmsi(ev.mmsi), vesselByMmsi(ev.other_mmsi)])
        .then(function (r) {
          if (state.selected !== ev) return;
          // the event's own vessel first, so colours match the detail panel (blue = vessel, orange = partner)
          r[0].tracks.sort(function (a, b) { return (a.mmsi === ev.mmsi ? 0 : 1) - (b.mmsi === ev.mmsi ? 0 : 1); });
          var bounds = drawTracks(trackLayer, r[0].tracks);
          if (bounds.isValid()) map.fitBounds(bounds.pad(0.2), {maxZoom: 11});
          el("df-detail").innerHTML = detailHtml({event: ev, tracks: r[0].tracks, draught: r[0].draught,
            vessel: r[1], other: r[2], names: state.names});
          el("df-detail").removeAttribute("data-mmsi");
          el("df-detail").setAttribute("data-event-id", ev.event_id);
        })
        .catch(function (err) { el("df-detail").innerHTML = "<p class='df-error'>" + esc(err.message || err) + "</p>"; });
    }

    function selectVessel(mmsi) {
      Array.prototype.forEach.call(document.querySelectorAll("#df-risk-table tr.df-selected"), function (r) {
        r.classList.remove("df-selected");
      });
      var row = document.querySelector("#df-risk-table tr[data-mmsi='" + mmsi + "']");
      if (row) row.classList.add("df-selected");
      return source.vesselEvents(mmsi).then(function (events) {
        var ev = pickFirst(events, mmsi);
        if (ev) return selectEvent(ev);
        state.selected = null;
        return Promise.all([vesselByMmsi(mmsi), source.vesselTrack(mmsi, map.getZoom())]).then(function (r) {
          var v = r[0];
          var bounds = drawTracks(trackLayer, r[1] ? [r[1]] : []);
          if (bounds.isValid()) map.fitBounds(bounds.pad(0.2), {maxZoom: 11});
          el("df-detail").innerHTML = "<h2>" + vesselLabel(v, mmsi, state.names) + "</h2><p class='df-muted'>No events." +
            (r[1] ? " Track: last " + r[1].n_returned + " of " + r[1].n_total + " fixes shown." : "") + "</p>" +
            identityHtml(v) + "<h3>Sanctions</h3>" + sanctionsHtml(v) + "<h3>Risk factors</h3>" + factorsHtml(v);
          el("df-detail").removeAttribute("data-event-id");
          el("df-detail").setAttribute("data-mmsi", mmsi);
        });
      });
    }

    function showEvents(fromMs, toMs) {
      return source.events(fromMs, toMs).then(function (events) {
        state.events = events;
        el("df-count").textContent = events.length + " events shown";
        return layers.setEvents(events);
      });
    }

    function setupSlider(summary) {
      var lo = summary.start_ms, hi = summary.end_ms;
      if (lo == null || hi == null) return;
      var from = el("df-from"), to = el("df-to");
      [from, to].forEach(function (input) { input.min = lo; input.max = hi; input.step = HOUR_MS; });
      from.value = lo; to.value = hi;
      var label = function () { el("df-range").textContent = fmtTime(+from.value) + " → " + fmtTime(+to.value); };
      var change = function () {
        if (+from.value > +to.value) { var t = from.value; from.value = to.value; to.value = t; }
        label();
        showEvents(+from.value, +to.value);
      };
      from.addEventListener("change", change);
      to.addEventListener("change", change);
      from.addEventListener("input", label);
      to.addEventListener("input", label);
      label();
    }

    function setupSearch() {
      var input = el("df-search"), out = el("df-search-results"), timer = null;
      input.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () {
          var q = input.value.trim();
          if (!q) { out.innerHTML = ""; return; }
          source.search(q).then(function (found) {
            out.innerHTML = found.length ? found.slice(0, 20).map(function (v) {
              return "<li data-mmsi='" + esc(v.mmsi) + "'>" + esc(v.name || "?") + " <span class='df-muted'>" +
                esc(v.mmsi) + (v.imo ? " · IMO " + esc(v.imo) : "") + "</span></li>";
            }).join("") : "<li class='df-muted'>no match</li>";
          });
        }, 150);
      });
      out.addEventListener("click", function (e) {
        var li = e.target.closest("li[data-mmsi]");
        if (li) { out.innerHTML = ""; selectVessel(+li.getAttribute("data-mmsi")); }
      });
    }

    return source.summary().then(function (summary) {
      el("df-summary").textContent = (summary.n_events || 0) + " events · " + (summary.n_vessels || 0) +
        " vessels · " + (summary.n_positions || 0).toLocaleString("en") + " positions";
      setupSlider(summary);
      setupSearch();
      return Promise.all([showEvents(summary.start_ms, summary.end_ms), source.vessels()]);
    }).then(function (r) {
      var bounds = r[0];
      state.vessels = r[1];
      if (bounds.isValid()) map.fitBounds(bounds.pad(0.3));
      el("df-risk-table").innerHTML = riskTableHtml(state.vessels);
      el("df-risk-table").addEventListener("click", function (e) {
        var tr = e.target.closest("tr[data-mmsi]");
        if (tr) selectVessel(+tr.getAttribute("data-mmsi"));
      });
      // Open on the highest-risk vessel: what an analyst should look at first.
      if (state.vessels.length) return selectVessel(state.vessels[0].mmsi);
      // Without risk scores, on the strongest event of the most telling type.
      var first = state.events.slice().sort(function (a, b) {
        return rank(a) - rank(b) || (b.confidence || 0) - (a.confidence || 0);
      })[0];
      if (first) return selectEvent(first);
      el("df-detail").innerHTML = "<p class='df-muted'>No events.</p>";
    }).then(function () {
      document.body.setAttribute("data-ready", "true");
    });
  }

  global.Darkfleet = {start: start, EVENT_COLORS: EVENT_COLORS, fmtTime: fmtTime, lineChart: lineChart};
})(window);
