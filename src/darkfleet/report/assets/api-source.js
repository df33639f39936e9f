/* Data source of the served map page: the darkfleet REST API on the same origin. */
(function () {
  "use strict";
  var PAD_MS = 6 * 3600000;
  var MAX_EVENTS = 5000;
  var cache = {};

  function getJSON(url) {
    return fetch(url).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) { var e = new Error(body.message || r.statusText); e.status = r.status; throw e; }
        return body;
      });
    });
  }
  function iso(ms) { return new Date(ms).toISOString(); }
  function qs(params) {
    return Object.keys(params).filter(function (k) { return params[k] != null; }).map(function (k) {
      return encodeURIComponent(k) + "=" + encodeURIComponent(params[k]);
    }).join("&");
  }

  function vessel(mmsi) {
    if (!cache[mmsi]) {
      cache[mmsi] = getJSON("/api/vessels/" + mmsi).catch(function (e) {
        if (e.status === 404) return null;
        throw e;
      });
    }
    return cache[mmsi];
  }

  function allEvents(params, acc) {
    return getJSON("/api/events?" + qs(params)).then(function (page) {
      acc = acc.concat(page.items);
      if (page.next_cursor && acc.length < MAX_EVENTS) {
        return allEvents(Object.assign({}, params, {cursor: page.next_cursor}), acc);
      }
      return acc;
    });
  }

  var source = {
    summary: function () { return getJSON("/api/summary"); },
    events: function (fromMs, toMs) {
      return allEvents({limit: 1000, start: fromMs == null ? null : iso(fromMs), end: toMs == null ? null : iso(toMs)}, []);
    },
    vessels: function () { return getJSON("/api/vessels?sort=risk&limit=200").then(function (r) { return r.items; }); },
    vessel: vessel,
    vesselEvents: function (mmsi) { return vessel(mmsi).then(function (v) { return v ? v.events : []; }); },
    // last 7 days, simplified for the current zoom (the map view, not plots, uses it)
    vesselTrack: function (mmsi, zoom) {
      return getJSON("/api/vessels/" + mmsi + "/track?" + qs({zoom: zoom, max_points: 5000})).catch(function (e) {
        if (e.status === 404) return null;
        throw e;
      });
    },
    eventTracks: function (ev) {
      var end = ev.end_ms == null ? ev.start_ms : ev.end_ms;
      // no zoom simplification here: the speed plot needs every fix, not only the visible vertices
      var params = qs({start: iso(ev.start_ms - PAD_MS), end: iso(end + PAD_MS), max_points: 4000});
      var ids = [ev.mmsi, ev.other_mmsi].filter(function (m) { return m != null; });
      return Promise.all(ids.map(function (m) {
        return getJSON("/api/vessels/" + m + "/track?" + params).catch(function (e) {
          if (e.status === 404) return null;
          throw e;
        });
      })).then(function (tracks) {
        var draught = {};
        tracks = tracks.filter(function (t) { return t; });
        tracks.forEach(function (t) { draught[String(t.mmsi)] = t.draught; });
        return {tracks: tracks, draught: draught};
      });
    },
    search: function (q) { return getJSON("/api/vessels?" + qs({q: q, limit: 20})).then(function (r) { return r.items; }); }
  };

  fetch("/static/vendor/land-50m.json").then(function (r) { return r.json(); }).then(function (land) {
    Darkfleet.start(source, {land: land, names: {}});
  });
})();
