/* Data source of the self-contained report: everything is inlined in window.DARKFLEET_DATA. */
(function () {
  "use strict";
  var D = window.DARKFLEET_DATA;
  var byMmsi = {};
  D.vessels.forEach(function (v) { byMmsi[v.mmsi] = v; });
  var done = function (value) { return Promise.resolve(value); };
  var involves = function (e, m) { return e.mmsi === m || e.other_mmsi === m; };
  var source = {
    summary: function () {
      return done(Object.assign({n_vessels: D.vessels.length}, D.summary));
    },
    events: function (fromMs, toMs) {
      return done(D.events.filter(function (e) {
        var end = e.end_ms == null ? e.start_ms : e.end_ms;
        return fromMs == null || (end >= fromMs && e.start_ms <= toMs);
      }));
    },
    vessels: function () { return done(D.vessels); },
    vessel: function (mmsi) { return done(byMmsi[mmsi] || null); },
    vesselEvents: function (mmsi) { return done(D.events.filter(function (e) { return involves(e, mmsi); })); },
    // the report inlines tracks around events only, to stay one small file
    vesselTrack: function () { return done(null); },
    eventTracks: function (ev) { return done({tracks: (D.tracks[ev.event_id] || []).slice(), draught: D.draught}); },
    search: function (q) {
      var needle = q.toLowerCase();
      return done(Object.keys(D.names).filter(function (m) {
        var v = byMmsi[m] || {};
        return m.indexOf(needle) >= 0 || String(v.imo || "").indexOf(needle) >= 0 ||
          String(D.names[m]).toLowerCase().indexOf(needle) >= 0;
      }).map(function (m) { return byMmsi[m] || {mmsi: +m, name: D.names[m]}; }));
    }
  };
  Darkfleet.start(source, {land: window.DARKFLEET_LAND, names: D.names});
})();
