/* Territoires: style functions for dash-leaflet layers and small clientside callbacks.
 *
 * The choropleth geometry is loaded once per level; its `hideout` carries, by
 * feature position `i`: the class (`cls`, -1 missing, -2 secret), the value
 * (`val`), the rank (`rank`) and the class colours. Changing indicator or classes
 * only changes the hideout, so these functions restyle without new geometry.
 * Missing and secret values are hatched (SVG patterns created below), never drawn
 * as a class colour. Optional keys: `notes` (distinct reasons of missing values)
 * and `why` (per feature, 1 + the position of its reason, 0 for none), `target`
 * (a commitment: met when the value is at most the target; territories that miss
 * it get a dashed red outline), `onePoint` (commune values computed on one
 * population point each: a line in the tooltip).
 */
(function () {
  "use strict";

  var SVG_NS = "http://www.w3.org/2000/svg";
  var formatters = {};

  function formatNumber(value, decimals) {
    if (value === null || value === undefined || !isFinite(value)) {
      return null;
    }
    var key = String(decimals);
    if (!formatters[key]) {
      formatters[key] = new Intl.NumberFormat("fr-FR", {
        minimumFractionDigits: decimals,
        maximumFractionDigits: decimals,
      });
    }
    return formatters[key].format(value);
  }

  function escapeHtml(text) {
    return String(text === undefined || text === null ? "" : text)
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;");
  }

  function pattern(id, background, stroke, cross) {
    var p = document.createElementNS(SVG_NS, "pattern");
    p.setAttribute("id", id);
    p.setAttribute("patternUnits", "userSpaceOnUse");
    p.setAttribute("width", "8");
    p.setAttribute("height", "8");
    p.setAttribute("patternTransform", "rotate(45)");
    var rect = document.createElementNS(SVG_NS, "rect");
    rect.setAttribute("width", "8");
    rect.setAttribute("height", "8");
    rect.setAttribute("fill", background);
    p.appendChild(rect);
    var lines = cross ? [[0, 0, 0, 8], [0, 0, 8, 0]] : [[0, 0, 0, 8]];
    lines.forEach(function (c) {
      var line = document.createElementNS(SVG_NS, "line");
      line.setAttribute("x1", c[0]);
      line.setAttribute("y1", c[1]);
      line.setAttribute("x2", c[2]);
      line.setAttribute("y2", c[3]);
      line.setAttribute("stroke", stroke);
      line.setAttribute("stroke-width", "3");
      p.appendChild(line);
    });
    return p;
  }

  function ensurePatterns() {
    if (document.getElementById("territoires-patterns")) {
      return;
    }
    var svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("id", "territoires-patterns");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("width", "0");
    svg.setAttribute("height", "0");
    svg.style.position = "absolute";
    var defs = document.createElementNS(SVG_NS, "defs");
    defs.appendChild(pattern("territoires-hatch-missing", "#f4f4f4", "#9a9a9a", false));
    defs.appendChild(pattern("territoires-hatch-secret", "#e8e8e8", "#5c5c5c", true));
    svg.appendChild(defs);
    document.body.appendChild(svg);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ensurePatterns);
  } else {
    ensurePatterns();
  }

  /* Same words as dashboards/notes.py commitment_status: the value is the published
   * (rounded) one, the gap is in points for a share (French plural from 2). */
  function commitmentText(value, target, unit, decimals) {
    if (value === null || value === undefined || target === null || target === undefined) {
      return "";
    }
    var met = value <= target;
    if (met && target === 0) {
      return "Engagement tenu (personne au-delà)";
    }
    var gap = Math.abs(target - value);
    var amount = formatNumber(gap, decimals);
    if (unit === "%") {
      amount += "\u00a0" + (Number(gap.toFixed(decimals)) < 2 ? "point" : "points");
    } else if (unit) {
      amount += "\u00a0" + unit;
    }
    return met
      ? "Engagement tenu (marge : " + amount + ")"
      : "Engagement non tenu (dépassement : " + amount + ")";
  }

  function unmet(h, i) {
    var v = h.val ? h.val[i] : null;
    return h.target !== undefined && h.target !== null && v !== null && v !== undefined && v > h.target;
  }

  function hideoutOf(context) {
    return (context && context.hideout) || {};
  }

  /* On the canvas (levels drawn by the bulk renderer below) the hatches are canvas
   * patterns of the same colours. */
  var CANVAS_HATCHES = {};
  function canvasHatch(name, background, stroke, cross) {
    if (!CANVAS_HATCHES[name]) {
      var tile = document.createElement("canvas");
      tile.width = 8;
      tile.height = 8;
      var g = tile.getContext("2d");
      g.fillStyle = background;
      g.fillRect(0, 0, 8, 8);
      g.strokeStyle = stroke;
      g.lineWidth = 2;
      g.beginPath();
      // 45° stripes that join from one tile to the next
      [[0, 8, 8, 0], [-2, 2, 2, -2], [6, 10, 10, 6]].forEach(function (l) {
        g.moveTo(l[0], l[1]);
        g.lineTo(l[2], l[3]);
      });
      if (cross) {
        [[0, 0, 8, 8], [-2, 6, 2, 10], [6, -2, 10, 2]].forEach(function (l) {
          g.moveTo(l[0], l[1]);
          g.lineTo(l[2], l[3]);
        });
      }
      g.stroke();
      CANVAS_HATCHES[name] = g.createPattern(tile, "repeat");
    }
    return CANVAS_HATCHES[name];
  }

  function fillOf(h, i, canvas) {
    var c = h.cls ? h.cls[i] : -1;
    if (c === -2) {
      return canvas
        ? canvasHatch("secret", "#e8e8e8", "#5c5c5c", true)
        : "url(#territoires-hatch-secret)";
    }
    if (c === undefined || c === null || c < 0 || !h.colors || !h.colors[c]) {
      return canvas
        ? canvasHatch("missing", "#f4f4f4", "#9a9a9a", false)
        : "url(#territoires-hatch-missing)";
    }
    return h.colors[c];
  }

  /* How many territories of the choropleth are on the map (SVG or canvas): the
   * body's data-map-areas, read by the browser tests and bench/dashboard.py. */
  var AREAS = 0;
  var areasPending = false;
  function countArea(delta) {
    AREAS += delta;
    if (!areasPending) {
      areasPending = true;
      window.requestAnimationFrame(function () {
        areasPending = false;
        document.body.setAttribute("data-map-areas", String(AREAS));
        markColoured();
        if (AREAS > 0) {
          PAINT_WAITERS.splice(0).forEach(afterFrame);
        }
      });
    }
  }

  /* Work the first map paint should not wait for (the table's first rows, the
   * picker's full list): done once territories are on the map and painted, or after
   * PAINT_WAIT_MS whatever happens (a level without geometry). */
  var PAINT_WAITERS = [];
  var PAINT_WAIT_MS = 4000;
  function afterFrame(fn) {
    window.requestAnimationFrame(function () {
      window.setTimeout(fn, 0);
    });
  }
  var RESTYLE_WAITERS = [];
  function whenRestyled(value) {
    return new Promise(function (resolve) {
      var done = false;
      function go() {
        if (!done) {
          done = true;
          resolve(value);
        }
      }
      RESTYLE_WAITERS.push(go);
      window.setTimeout(go, PAINT_WAIT_MS);
    });
  }
  function whenPainted(value) {
    return new Promise(function (resolve) {
      var done = false;
      function go() {
        if (!done) {
          done = true;
          resolve(value);
        }
      }
      if (AREAS > 0) {
        afterFrame(go);
      } else {
        PAINT_WAITERS.push(go);
        window.setTimeout(go, PAINT_WAIT_MS);
      }
    });
  }

  /* The level whose classes colour the territories on the map, once they do:
   * body[data-map-level] (read by bench/dashboard.py and the browser tests). */
  function markColoured() {
    var h = current;
    if (AREAS > 0 && h && h.cls && h.level && (!DRAWN_LEVEL || h.level === DRAWN_LEVEL)) {
      if (document.body.dataset.mapLevel !== h.level) {
        // when a new level is on screen in colour (read by bench/dashboard.py)
        window.requestAnimationFrame(function () {
          document.body.setAttribute("data-map-shown", String(Date.now()));
        });
      }
      document.body.setAttribute("data-map-level", h.level);
      COLOURED_WAITERS = COLOURED_WAITERS.filter(function (w) {
        if (w.h === h) {
          afterFrame(w.go);
          return false;
        }
        return true;
      });
    }
  }

  /* Resolves once the map shows these classes (hideout `h`, unpacked) on their level's
   * territories, and a frame has been painted; after PAINT_WAIT_MS at the latest. */
  var COLOURED_WAITERS = [];
  function whenColoured(h) {
    return new Promise(function (resolve) {
      var done = false;
      function go() {
        if (!done) {
          done = true;
          resolve();
        }
      }
      if (current === h && h.level && document.body.dataset.mapLevel === h.level && AREAS > 0) {
        afterFrame(go);
        return;
      }
      COLOURED_WAITERS.push({ h: h, go: go });
      window.setTimeout(function () {
        COLOURED_WAITERS = COLOURED_WAITERS.filter(function (w) {
          return w.go !== go;
        });
        go();
      }, PAINT_WAIT_MS);
    });
  }

  /* How many territories share each rank (competition ranks: equal values, equal
   * rank), counted once per hideout. */
  var TIES = new WeakMap();
  function tiesOf(h) {
    var t = TIES.get(h);
    if (!t) {
      t = {};
      (h.rank || []).forEach(function (r) {
        if (r) {
          t[r] = (t[r] || 0) + 1;
        }
      });
      TIES.set(h, t);
    }
    return t;
  }

  /* "Rang 12 sur 332", "12e ex aequo (4 territoires) sur 332": same words as
   * dashboards/formatting.rank_text. */
  function ordinal(r) {
    return r === 1 ? "1er" : formatNumber(r, 0) + "e";
  }
  function rankText(rank, tied, n) {
    if (tied > 1) {
      return ordinal(rank) + " ex aequo (" + formatNumber(tied, 0) + " territoires) sur " +
        formatNumber(n, 0);
    }
    return "Rang " + formatNumber(rank, 0) + " sur " + formatNumber(n, 0);
  }

  /* The stores map-data and grid-base hold one JSON text (dashboards/pages/carte.py
   * packed): parsed once per new text, shared by the callbacks that read it. */
  var UNPACKED = [];
  function unpack(data) {
    if (typeof data !== "string") {
      return data;
    }
    for (var k = 0; k < UNPACKED.length; k++) {
      if (UNPACKED[k][0] === data) {
        return UNPACKED[k][1];
      }
    }
    var value = JSON.parse(data);
    UNPACKED.unshift([data, value]);
    UNPACKED.length = Math.min(UNPACKED.length, 3);
    return value;
  }

  /* The rows of the table twin: the level's names (store grid-base, sent once per
   * level) joined with the indicator's hideout (values, ranks, reasons). */
  function rowsOf(h, base) {
    h = unpack(h);
    base = unpack(base);
    if (!h || !base || !h.cls || !base.code || h.cls.length !== base.code.length) {
      return window.dash_clientside.no_update;
    }
    var partial = {};
    (base.partial || []).forEach(function (i) {
      partial[i] = true;
    });
    var ties = tiesOf(h);
    return base.code.map(function (code, i) {
      var secret = h.cls[i] === -2;
      var value = secret || !h.val ? null : h.val[i];
      var status = secret ? h.secretText : value === null || value === undefined ? h.missingText : "";
      if (partial[i]) {
        status = (status ? status + " ; " : "") + "territoire partiel";
      }
      var rank = h.rank ? h.rank[i] : null;
      var row = {
        code: code,
        name: base.name[i],
        population: base.pop[i],
        value: value === undefined ? null : value,
        secret: secret,
        rank: rank || null,
        tied: rank ? ties[rank] || 1 : 0,
        n: h.n,
        status: status,
      };
      if (h.beyond) {
        row.beyond = h.beyond[i];
      }
      if (h.why && h.why[i] && !secret && (value === null || value === undefined)) {
        row.why = h.why[i];
      }
      return row;
    });
  }


  /* The table twin's rows go to the grid through its API when the grid is ready:
   * as a Dash property, 34 875 rows were walked by Dash and React first (0.6 s of
   * a national indicator switch). The first rows, before the grid exists, go as
   * the property once the map is painted. Later rows are handed over after the map and legend have been
   * painted (the grid takes 0.25 s for 34 875 rows, and it sits below the map):
   * `body[data-grid-rows]` holds the time they were applied; `flushGrid` applies
   * pending rows at once (the export reads the table's filtered rows). */
  var pendingGrid = null;
  function gridApi() {
    try {
      var api = window.dash_ag_grid && window.dash_ag_grid.getApi
        ? window.dash_ag_grid.getApi("grid")
        : null;
      return api && !api.isDestroyed() ? api : null;
    } catch (e) {
      return null; // not drawn yet
    }
  }
  function flushGrid() {
    var job = pendingGrid;
    var api = gridApi();
    if (!job || !api) {
      return; // nothing pending, or the first rows: they go as the property (gridRows)
    }
    pendingGrid = null;
    var rows = rowsOf(job.h, job.base);
    if (rows !== window.dash_clientside.no_update) {
      api.setGridOption("rowData", rows);
    }
    document.body.dataset.gridRows = String(Date.now());
  }
  function gridRows(h, base) {
    if (!gridApi()) {
      // the first rows: as the property, once the map is painted (the grid's row
      // set-up took 0.2-0.4 s in front of the first paint); the newest rows then
      pendingGrid = { h: h, base: base };
      return whenPainted().then(function () {
        var job = pendingGrid;
        pendingGrid = null;
        document.body.dataset.gridRows = String(Date.now());
        return job ? rowsOf(job.h, job.base) : window.dash_clientside.no_update;
      });
    }
    pendingGrid = { h: h, base: base };
    whenColoured(unpack(h)).then(flushGrid); // after the map shows them (a new level's
    // outlines may still be on their way: the grid's 0.06-0.25 s must not delay them)
    return window.dash_clientside.no_update;
  }

  function tooltipHtml(feature, h) {
    var i = feature.properties.i;
    var c = h.cls ? h.cls[i] : -1;
    var lines = ["<strong>" + escapeHtml(feature.properties.name) + "</strong>"];
    if (!h.cls) {
      return lines[0] + "<br>Chargement…"; // this level's figures are on their way
    }
    var text;
    if (c === -2) {
      text = h.secretText || "secret statistique";
    } else {
      var v = h.val ? formatNumber(h.val[i], h.dec || 0) : null;
      text = v === null ? h.missingText || "non disponible" : v + (h.unit ? "\u00a0" + h.unit : "");
    }
    lines.push(escapeHtml(h.label || "") + " : " + escapeHtml(text));
    var why = h.why && h.notes ? h.notes[h.why[i] - 1] : null;
    if (c !== -2 && why) {
      lines.push('<span class="tip-note">' + escapeHtml(why) + "</span>");
    }
    if (c !== -2 && h.val && h.val[i] !== null && h.val[i] !== undefined) {
      var engagement = commitmentText(h.val[i], h.target, h.unit, h.dec || 0);
      if (engagement) {
        lines.push('<strong class="tip-commitment">' + escapeHtml(engagement) + "</strong>");
      }
    }
    if (h.rank && h.rank[i]) {
      lines.push(escapeHtml(rankText(h.rank[i], tiesOf(h)[h.rank[i]] || 1, h.n)) +
        " (" + escapeHtml(h.rankNote || "") + ")");
    }
    if (h.onePoint) {
      lines.push('<span class="tip-note">' + escapeHtml(h.onePoint) + "</span>");
    }
    return lines.join("<br>");
  }

  /* The choropleth's data (classes, values, ranks, colours) comes from the store
   * map-data (`restyle`, a clientside callback), not from the layer's hideout: a new
   * hideout makes dash-leaflet rebuild every feature. Layers are kept by feature
   * position to restyle them in place. */
  var current = null;
  var LAYERS = {};
  /* The level of the geometry on the map, once the page has asked for another one
   * (geoUrl): classes of one level are never drawn on another's territories. The
   * geometry and the classes of a new level travel in parallel; whichever comes
   * first waits blank for the other. */
  var PENDING_LEVEL = null; // asked for (geoUrl)
  var DRAWN_LEVEL = null; // its features are being added (first feature seen)
  function mapData(context) {
    var h = current || hideoutOf(context);
    return DRAWN_LEVEL && h.level && h.level !== DRAWN_LEVEL ? {} : h;
  }
  function seeFeature(feature) {
    if (feature.properties && feature.properties.i === 0 && PENDING_LEVEL) {
      DRAWN_LEVEL = PENDING_LEVEL;
    }
  }

  function classNameOf(h, feature) {
    var i = feature.properties.i;
    return "territoires-area code-" + feature.properties.code +
      (h.sel === i ? " territoires-selected" : "") + (unmet(h, i) ? " territoires-unmet" : "");
  }

  /* Levels drawn on a canvas (more than CANVAS_ABOVE territories, e.g. the 34 875
   * communes of France) are not made into one Leaflet layer per territory: the
   * choropleth gets one stub feature, which its `filter` hands to loadBulk, and the
   * level is drawn here in one pass, from typed arrays of its outlines in pixels of zoom 0,
   * on a canvas renderer (its container follows pans and zoom animations). Hover
   * and click are found by a grid index and a point-in-polygon test; a click sets
   * the choropleth's clickData as a feature click would. Building 34 875 layers cost
   * about 1.5 s of the browser's main thread and 0.8 s of garbage collection. */
  var BULK = null;
  var BULK_BATCH = 64;
  var BULK_OUTLINE_ZOOM = 8;
  var BULK_CELL = 1 / 8; // grid cell, pixels of zoom 0 (about 5 km in France)

  function projectZero(lon, lat) {
    // EPSG:3857 to pixels of zoom 0 (Leaflet's CRS.EPSG3857 at scale 256)
    var d = Math.PI / 180;
    var max = 85.0511287798;
    var la = Math.max(Math.min(max, lat), -max);
    var sin = Math.sin(la * d);
    var x = 256 * (0.5 + lon / 360);
    var y = 256 * (0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI));
    return [x, y];
  }

  /* A canvas level's choropleth data is one stub feature naming its packed outlines
   * (dashboards/routes.py canvas_stub); the renderer fetches and unpacks them itself
   * (layout: dashboards/queries/geometry.py level_outlines). The national communes
   * were 16 MB of GeoJSON whose parse alone took 0.27 s; packed, 2 MB read at once. */
  var BULK_ASKED = null; // the stub being loaded; a later one supersedes it

  function loadBulk(props, context) {
    var map = context && context.map;
    if (!map) {
      return;
    }
    removeBulk(); // blank until this level's outlines arrive, never another level's
    var asked = { url: props.outlines, level: props.level };
    BULK_ASKED = asked;
    window.fetch(props.outlines, { credentials: "same-origin" })
      .then(function (resp) {
        if (!resp.ok) {
          throw new Error("HTTP " + resp.status);
        }
        return resp.arrayBuffer();
      })
      .then(function (buffer) {
        if (BULK_ASKED !== asked) {
          return; // the user has moved on to another level
        }
        BULK_ASKED = null;
        removeBulk();
        BULK = unpackOutlines(buffer, map, context, props.level);
        finishBulk(); // drawn as its renderer is added
      })
      .catch(function (err) {
        if (BULK_ASKED !== asked) {
          return;
        }
        BULK_ASKED = null;
        document.body.setAttribute("data-map-error", String(err));
        if (window.dash_clientside && window.dash_clientside.set_props) {
          window.dash_clientside.set_props("messages", {
            children: "Le contour des territoires n'a pas pu être chargé (" + String(err) +
              ") ; rechargez la page.",
          });
        }
      });
  }

  function unpackOutlines(buffer, map, context, level) {
    var magic = String.fromCharCode.apply(null, new Uint8Array(buffer, 0, 4));
    var words = new Uint32Array(buffer, 4, 2);
    if (magic !== "TOUT" || words[0] !== 1) {
      throw new Error("format de contours inattendu");
    }
    var head = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 12, words[1])));
    var m = head.drawn, rings = head.rings, nv = head.vertices, w = head.width;
    var off = 12 + words[1];
    var index = new Int32Array(buffer, off, m);
    off += 4 * m;
    var featRing = new Uint32Array(buffer, off, m + 1);
    off += 4 * (m + 1);
    var ringStart = new Uint32Array(buffer, off, rings + 1);
    off += 4 * (rings + 1);
    var first = new Int32Array(buffer, off, 2 * rings);
    off += 8 * rings;
    var planes = new Uint8Array(buffer, off, w * 2 * nv);
    var span = 2 * nv; // bytes per plane
    function delta(k) {
      if (w === 2) {
        return ((planes[span + k] << 8) | planes[k]) << 16 >> 16;
      }
      return planes[k] | (planes[span + k] << 8) | (planes[2 * span + k] << 16) |
        (planes[3 * span + k] << 24);
    }
    var xy = new Float64Array(2 * nv);
    var box = new Float64Array(4 * m);
    for (var j = 0; j < m; j++) {
      var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      for (var r = featRing[j]; r < featRing[j + 1]; r++) {
        var lon = first[2 * r], lat = first[2 * r + 1];
        for (var v = ringStart[r]; v < ringStart[r + 1]; v++) {
          if (v > ringStart[r]) {
            lon += delta(v);
            lat += delta(nv + v);
          }
          // projectZero inlined: no array per vertex (660,000 for France)
          var la = Math.max(Math.min(85.0511287798, lat / head.scale), -85.0511287798);
          var sin = Math.sin(la * Math.PI / 180);
          var px = 256 * (0.5 + lon / head.scale / 360);
          var py = 256 * (0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI));
          xy[2 * v] = px;
          xy[2 * v + 1] = py;
          if (px < x0) x0 = px;
          if (px > x1) x1 = px;
          if (py < y0) y0 = py;
          if (py > y1) y1 = py;
        }
      }
      box[4 * j] = x0;
      box[4 * j + 1] = y0;
      box[4 * j + 2] = x1;
      box[4 * j + 3] = y1;
    }
    var features = new Array(m);
    for (var f = 0; f < m; f++) {
      var i = index[f];
      features[f] = { properties: { i: i, code: head.code[i], name: head.name[i] } };
    }
    return {
      map: map, context: context, level: level, features: features,
      maxIndex: head.n - 1, ready: false,
      xy: xy, ringStart: ringStart, featRing: featRing, box: box, index: index,
    };
  }

  function removeBulk() {
    if (!BULK) {
      return;
    }
    if (BULK.renderer && BULK.map) {
      BULK.map.off("mousemove", bulkHover);
      BULK.map.off("mouseout", bulkOut);
      BULK.map.off("click", bulkClick);
      BULK.map.removeLayer(BULK.renderer);
      if (BULK.tooltip) {
        BULK.map.closeTooltip(BULK.tooltip);
      }
      countArea(-BULK.features.length);
    }
    BULK = null;
  }

  /* The grid index of an unpacked level, and its canvas renderer on the map. */
  function finishBulk() {
    var b = BULK;
    var n = b.index.length;
    var box = b.box;
    var grid = new Map();
    for (var j = 0; j < n; j++) {
      var cx0 = Math.floor(box[4 * j] / BULK_CELL), cx1 = Math.floor(box[4 * j + 2] / BULK_CELL);
      var cy0 = Math.floor(box[4 * j + 1] / BULK_CELL), cy1 = Math.floor(box[4 * j + 3] / BULK_CELL);
      for (var cx = cx0; cx <= cx1; cx++) {
        for (var cy = cy0; cy <= cy1; cy++) {
          var key = cx * 100000 + cy;
          var cell = grid.get(key);
          if (cell) {
            cell.push(j);
          } else {
            grid.set(key, [j]);
          }
        }
      }
    }
    b.grid = grid;
    b.ready = true;
    var Renderer = L.Canvas.extend({
      _update: function () {
        L.Canvas.prototype._update.call(this);
        if (!this._map || (this._map._animatingZoom && this._bounds)) {
          return;
        }
        drawBulk(b, this);
      },
    });
    b.renderer = new Renderer({ padding: 0.3 });
    b.map.addLayer(b.renderer);
    b.map.on("mousemove", bulkHover);
    b.map.on("mouseout", bulkOut);
    b.map.on("click", bulkClick);
    countArea(n);
  }

  function bulkData(b) {
    var h = mapData(b.context); // {} while this level's classes are on their way
    return h.cls && h.cls.length > b.maxIndex && (!h.level || h.level === b.level) ? h : {};
  }

  /* One territory's rings in layer pixels; a vertex less than half a pixel from the
   * last one drawn is skipped (at the zoom of all France a commune is a few pixels
   * wide: most of its vertices would fall on the same pixel). */
  function tracePath(ctx, b, j, scale, ox, oy) {
    for (var r = b.featRing[j]; r < b.featRing[j + 1]; r++) {
      var s = b.ringStart[r], e = b.ringStart[r + 1];
      var lx = b.xy[2 * s] * scale - ox, ly = b.xy[2 * s + 1] * scale - oy;
      ctx.moveTo(lx, ly);
      for (var v = s + 1; v < e; v++) {
        var x = b.xy[2 * v] * scale - ox, y = b.xy[2 * v + 1] * scale - oy;
        if ((x - lx) * (x - lx) + (y - ly) * (y - ly) >= 0.25) {
          ctx.lineTo(x, y);
          lx = x;
          ly = y;
        }
      }
      ctx.closePath();
    }
  }

  function drawBulk(b, renderer) {
    var ctx = renderer._ctx;
    var map = b.map;
    if (!ctx || !renderer._bounds) {
      return;
    }
    var h = bulkData(b);
    var scale = Math.pow(2, map.getZoom());
    var origin = map.getPixelOrigin();
    var bounds = renderer._bounds; // layer points covered by the canvas
    var minX = (bounds.min.x + origin.x) / scale, maxX = (bounds.max.x + origin.x) / scale;
    var minY = (bounds.min.y + origin.y) / scale, maxY = (bounds.max.y + origin.y) / scale;
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, ctx.canvas.width, ctx.canvas.height);
    ctx.restore();
    if (!h.cls) {
      return; // this level's classes are on their way: blank, never another level's
    }
    ctx.lineJoin = "round";
    // one path per fill (class colour or hatch), then one path for every outline:
    // a few dozen canvas calls rather than three per territory
    var groups = new Map();
    var shown = [];
    var outlines = [];
    for (var j = 0; j < b.index.length; j++) {
      if (b.box[4 * j + 2] < minX || b.box[4 * j] > maxX ||
          b.box[4 * j + 3] < minY || b.box[4 * j + 1] > maxY) {
        continue;
      }
      var i = b.index[j];
      var fill = fillOf(h, i, true);
      var group = groups.get(fill);
      if (group) {
        group.push(j);
      } else {
        groups.set(fill, [j]);
      }
      shown.push(j);
      if (h.sel === i || unmet(h, i)) {
        outlines.push(j);
      }
    }
    // (paths of at most BULK_BATCH territories: Skia slows down sharply on one path
    // of hundreds of thousands of points, 35 s for all French communes)
    function batches(members, paint) {
      for (var a = 0; a < members.length; a += BULK_BATCH) {
        ctx.beginPath();
        for (var m = a; m < Math.min(a + BULK_BATCH, members.length); m++) {
          tracePath(ctx, b, members[m], scale, origin.x, origin.y);
        }
        paint();
      }
    }
    ctx.globalAlpha = 0.88;
    groups.forEach(function (members, fill) {
      ctx.fillStyle = fill;
      batches(members, function () {
        ctx.fill("evenodd");
      });
    });
    ctx.globalAlpha = 1;
    // white outlines once territories are large enough to see them: at the zoom of
    // all France (5-7) a commune is a few pixels and its outline would hide its colour
    var zoom = map.getZoom();
    if (zoom >= BULK_OUTLINE_ZOOM) {
      ctx.strokeStyle = "#ffffff";
      ctx.lineWidth = zoom >= BULK_OUTLINE_ZOOM + 1 ? 0.7 : 0.35;
      batches(shown, function () {
        ctx.stroke();
      });
    }
    outlines.forEach(function (j) {
      var i = b.index[j];
      var selected = h.sel === i;
      ctx.beginPath();
      tracePath(ctx, b, j, scale, origin.x, origin.y);
      ctx.setLineDash(selected ? [] : [6, 4]);
      ctx.strokeStyle = selected ? "#111111" : "#b2182b";
      ctx.lineWidth = selected ? 3.5 : 2.5;
      ctx.stroke();
      ctx.setLineDash([]);
    });
  }

  function bulkAt(latlng) {
    var b = BULK;
    if (!b || !b.ready) {
      return -1;
    }
    var p = projectZero(latlng.lng, latlng.lat);
    var cell = b.grid.get(Math.floor(p[0] / BULK_CELL) * 100000 + Math.floor(p[1] / BULK_CELL));
    if (!cell) {
      return -1;
    }
    for (var c = 0; c < cell.length; c++) {
      var j = cell[c];
      if (p[0] < b.box[4 * j] || p[0] > b.box[4 * j + 2] ||
          p[1] < b.box[4 * j + 1] || p[1] > b.box[4 * j + 3]) {
        continue;
      }
      var inside = false;
      for (var r = b.featRing[j]; r < b.featRing[j + 1]; r++) {
        var s = b.ringStart[r], e = b.ringStart[r + 1];
        for (var v = s, w = e - 1; v < e; w = v++) {
          var xi = b.xy[2 * v], yi = b.xy[2 * v + 1], xj = b.xy[2 * w], yj = b.xy[2 * w + 1];
          if ((yi > p[1]) !== (yj > p[1]) && p[0] < (xj - xi) * (p[1] - yi) / (yj - yi) + xi) {
            inside = !inside;
          }
        }
      }
      if (inside) {
        return j;
      }
    }
    return -1;
  }

  function bulkHover(e) {
    var b = BULK;
    var j = bulkAt(e.latlng);
    if (j < 0) {
      bulkOut();
      return;
    }
    var feature = b.features[j];
    if (!bulkData(b).cls) {
      bulkOut();
      return;
    }
    if (!b.tooltip) {
      b.tooltip = L.tooltip({ sticky: true, direction: "auto" });
    }
    b.map.getContainer().style.cursor = "pointer";
    b.tooltip.setLatLng(e.latlng);
    if (b.tipFor !== j || !b.map.hasLayer(b.tooltip)) {
      b.tipFor = j;
      b.tooltip.setContent(tooltipHtml(feature, bulkData(b)));
      b.map.openTooltip(b.tooltip);
    }
  }

  function bulkOut() {
    var b = BULK;
    if (b && b.tooltip && b.map.hasLayer(b.tooltip)) {
      b.map.closeTooltip(b.tooltip);
      b.tipFor = -1;
    }
    if (b) {
      b.map.getContainer().style.cursor = "";
    }
  }

  function bulkClick(e) {
    var j = bulkAt(e.latlng);
    if (j < 0 || !window.dash_clientside || !window.dash_clientside.set_props) {
      return;
    }
    var f = BULK.features[j];
    window.dash_clientside.set_props("choropleth", {
      clickData: {
        type: "Feature",
        properties: { i: f.properties.i, code: f.properties.code, name: f.properties.name },
        latlng: { lat: e.latlng.lat, lng: e.latlng.lng },
        at: Date.now(),
      },
    });
  }

  var choropleth = {
    /* Canvas levels are drawn by the bulk renderer above, not as Leaflet layers. */
    filter: function (feature, context) {
      seeFeature(feature);
      if (feature.properties && feature.properties.outlines) {
        loadBulk(feature.properties, context);
        return false;
      }
      if (BULK || BULK_ASKED) {
        BULK_ASKED = null;
        removeBulk(); // an SVG level replaces a canvas one
      }
      return true;
    },
    style: function (feature, context) {
      var h = mapData(context);
      var selected = h.sel === feature.properties.i;
      var missed = unmet(h, feature.properties.i);
      return {
        fillColor: fillOf(h, feature.properties.i, false),
        fillOpacity: h.cls ? 0.88 : 0, // no classes yet for this level: blank
        color: selected ? "#111111" : missed ? "#b2182b" : "#ffffff",
        weight: selected ? 3.5 : missed ? 2.5 : 0.7,
        dashArray: missed ? "6 4" : null,
        opacity: 1,
        className: classNameOf(h, feature),
      };
    },
    hover: function () {
      return { weight: 2.5, color: "#333333" };
    },
    onEachFeature: function (feature, layer, context) {
      var i = feature.properties.i;
      LAYERS[i] = layer;
      layer.bindTooltip(function () {
        return tooltipHtml(feature, mapData(context));
      }, { sticky: true, direction: "auto" }); // "auto": never cut off at the map edge
      layer.on("add", function () {
        countArea(1);
        // 332+ shapes must not be 332 tab stops: keyboard users get the search and
        // the data-table twin below the map instead.
        var el = layer.getElement && layer.getElement();
        if (el) {
          el.setAttribute("tabindex", "-1");
        }
        if (mapData(context).sel === i) {
          layer.bringToFront();
        }
      });
      layer.on("remove", function () {
        countArea(-1);
        if (LAYERS[i] === layer) {
          delete LAYERS[i];
        }
      });
    },
  };

  /* New data for the choropleth: every feature on display restyled in place (fill,
   * outline, classes of its path). Features drawn later read `current`. */
  function restyle(data) {
    data = unpack(data);
    if (!data || !data.cls) {
      return window.dash_clientside.no_update;
    }
    current = data;
    var selected = null;
    Object.keys(LAYERS).forEach(function (key) {
      var layer = LAYERS[key];
      if (!layer.feature || data.cls.length <= layer.feature.properties.i) {
        return; // a feature of another level, about to be removed
      }
      var style = choropleth.style(layer.feature, {});
      // only what changed: Leaflet recomputes a polygon's pixel bounds whenever
      // `weight` is set, which for 34 875 communes costs more than the colours
      var changed = {};
      var any = false;
      ["fillColor", "fillOpacity", "color", "weight", "dashArray"].forEach(function (k) {
        if (layer.options[k] !== style[k]) {
          changed[k] = style[k];
          any = true;
        }
      });
      if (any) {
        layer.setStyle(changed);
      }
      var el = layer.getElement && layer.getElement();
      var cls = "leaflet-interactive " + style.className;
      if (el && el.getAttribute("class") !== cls) {
        el.setAttribute("class", cls);
      }
      if (data.sel === layer.feature.properties.i) {
        selected = layer;
      }
    });
    if (selected) {
      selected.bringToFront();
    }
    if (BULK && BULK.ready && BULK.renderer && BULK.renderer._map) {
      drawBulk(BULK, BULK.renderer);
    }
    markColoured();
    RESTYLE_WAITERS.splice(0).forEach(afterFrame);
    var now = Date.now();
    document.body.setAttribute("data-map-styled", String(now)); // read by bench/dashboard.py
    return now;
  }

  var facilities = {
    pointToLayer: function (feature, latlng, context) {
      var h = hideoutOf(context);
      var colour = (h.colors && h.colors[feature.properties.type]) || "#333333";
      var marker = L.circleMarker(latlng, {
        radius: 6,
        color: "#111111",
        weight: 1,
        fillColor: colour,
        fillOpacity: feature.properties.inside ? 0.95 : 0.45,
        className: "territoires-facility",
      });
      marker.bindTooltip(
        "<strong>" + escapeHtml(feature.properties.type_label) + "</strong><br>" +
          escapeHtml(feature.properties.name) +
          (feature.properties.inside ? "" : "<br><em>hors du territoire construit</em>")
      );
      return marker;
    },
    clusterToLayer: function (feature, latlng) {
      var n = feature.properties.point_count;
      var size = n < 10 ? 30 : n < 100 ? 36 : 44;
      var icon = L.divIcon({
        html: "<div><span>" + feature.properties.point_count_abbreviated + "</span></div>",
        className: "territoires-cluster",
        iconSize: L.point(size, size),
      });
      return L.marker(latlng, { icon: icon, title: n + " équipements" });
    },
  };

  var transit = {
    pointToLayer: function (feature, latlng) {
      var p = feature.properties;
      var n = p.departures || 0;
      var marker = L.circleMarker(latlng, {
        radius: 2 + Math.min(12, Math.sqrt(n) / 1.5),
        color: "#1b3a5c",
        weight: 1,
        fillColor: n > 0 ? "#2c7fb8" : "#ffffff",
        fillOpacity: 0.8,
        className: "territoires-stop",
      });
      marker.bindTooltip(
        "<strong>" + escapeHtml(p.name) + "</strong><br>" +
          formatNumber(n, 0) + " départ(s) de lignes régulières le " + escapeHtml(p.day) +
          (p.other ? "<br>" + formatNumber(p.other, 0) +
            " autre(s) (scolaires, à la demande)" : "")
      );
      return marker;
    },
  };

  var planner = {
    pointToLayer: function (feature, latlng) {
      var action = feature.properties.action;
      if (action === "propose") {
        /* A proposed site: a numbered black-on-yellow square, above the fills. */
        var proposed = L.marker(latlng, {
          keyboard: false,
          icon: L.divIcon({
            className: "territoires-proposed",
            html: "<span>" + escapeHtml(String(feature.properties.order)) + "</span>",
            iconSize: [24, 24],
            iconAnchor: [12, 12],
          }),
        });
        proposed.bindTooltip(escapeHtml(feature.properties.label));
        return proposed;
      }
      if (action === "critical") {
        /* An existing site by criticality: red when it strands at least half as many
         * inhabitants as the most critical one, orange when some, grey when none. */
        var level = feature.properties.level || 0;
        var critical = L.circleMarker(latlng, {
          radius: 5 + 11 * (feature.properties.size || 0),
          color: level === 2 ? "#67000d" : level === 1 ? "#a63603" : "#525252",
          weight: 2,
          fillColor: level === 2 ? "#cb181d" : level === 1 ? "#fd8d3c" : "#d9d9d9",
          fillOpacity: 0.85,
          className: "territoires-critical territoires-critical-" + level,
        });
        critical.bindTooltip(escapeHtml(feature.properties.label));
        return critical;
      }
      var removing = action === "remove";
      var marker = L.circleMarker(latlng, {
        radius: 9,
        color: removing ? "#b2182b" : "#111111",
        weight: 3,
        dashArray: removing ? "3 3" : null,
        fillColor: removing ? "#ffffff" : "#f0e442",
        fillOpacity: 1,
        className: "territoires-simulated",
      });
      marker.bindTooltip(escapeHtml(feature.properties.label));
      return marker;
    },
  };

  /* Context drawn from the warehouse: département outlines, names of the largest
   * towns (more names as the map zooms in: the 8 largest always, 25 from zoom 9,
   * all from zoom 10.5). */
  var context = {
    outline: function () {
      return { color: "#1d2327", weight: 1.4, opacity: 0.75, fill: false, interactive: false };
    },
    town: function (feature, latlng) {
      var rank = feature.properties.rank || 999;
      var minZoom = rank <= 8 ? 0 : rank <= 25 ? 9 : 10.5;
      var marker = L.marker(latlng, {
        interactive: false,
        keyboard: false,
        icon: L.divIcon({
          className: "town-label",
          html: "<span>" + escapeHtml(feature.properties.name) + "</span>",
          iconSize: null,
        }),
      });
      marker.on("add", function () {
        var map = marker._map;
        function show() {
          var el = marker.getElement && marker.getElement();
          if (el && map) {
            el.style.display = map.getZoom() >= minZoom ? "" : "none";
          }
        }
        if (map) {
          map.on("zoomend", show);
          show();
        }
      });
      return marker;
    },
  };

  window.territoires = {
    context: context,
    choropleth: choropleth,
    facilities: facilities,
    transit: transit,
    planner: planner,
    formatNumber: formatNumber,
    commitmentText: commitmentText,
    rankText: rankText,
    flushGrid: flushGrid,
  };

  /* Leaflet's zoom buttons speak English ("Zoom in"): say it in French, on every map
   * the pages draw (dash-leaflet's ZoomControl takes no titles). */
  var ZOOM_TITLES = [
    [".leaflet-control-zoom-in", "Zoom avant"],
    [".leaflet-control-zoom-out", "Zoom arrière"],
  ];
  function frenchZoom() {
    ZOOM_TITLES.forEach(function (pair) {
      document.querySelectorAll(pair[0]).forEach(function (button) {
        if (button.title !== pair[1]) {
          button.title = pair[1];
          button.setAttribute("aria-label", pair[1]);
        }
      });
    });
  }
  /* The OpenStreetMap basemap needs Internet: when its tiles fail to load, say so in
   * the map (once), instead of a silently blank background. */
  document.addEventListener(
    "error",
    function (event) {
      var img = event.target;
      if (!img || img.tagName !== "IMG" || !img.classList.contains("leaflet-tile")) {
        return;
      }
      var frame = img.closest(".map-frame");
      if (!frame || frame.querySelector(".tiles-failed")) {
        return;
      }
      var note = document.createElement("p");
      note.className = "tiles-failed";
      note.setAttribute("role", "status");
      note.textContent =
        "Fond OpenStreetMap inaccessible (pas de connexion à Internet ?) : " +
        "la carte reste sur fond neutre.";
      frame.appendChild(note);
    },
    true
  );

  /* On a phone the secondary map settings start folded, once per page shown. */
  var PHONE = window.matchMedia ? window.matchMedia("(max-width: 700px)") : null;
  function foldOnPhone() {
    if (!PHONE || !PHONE.matches) {
      return;
    }
    document.querySelectorAll("details.fold-on-phone").forEach(function (more) {
      if (!more.dataset.folded) {
        more.dataset.folded = "1";
        more.open = false;
      }
    });
  }
  /* Dash 4's dropdown opens with the focus on an option: a keyboard user then cannot
   * type to search the ~150 indicators. When the focus enters the options from
   * outside them (the dropdown just opened), it goes to the search box instead; the
   * arrows still move between options from there. */
  document.addEventListener("focusin", function (event) {
    var target = event.target;
    var from = event.relatedTarget;
    if (!target || !target.closest || !target.closest(".dash-dropdown-option")) {
      return;
    }
    if (from && from.closest && (from.closest(".dash-dropdown-option") ||
        from.classList.contains("dash-dropdown-search"))) {
      return;
    }
    var search = document.querySelector(".dash-dropdown-search");
    if (search) {
      search.focus();
    }
  });

  new MutationObserver(function (changes) {
    if (changes.some(function (c) { return c.addedNodes.length > 0; })) {
      frenchZoom();
      foldOnPhone();
    }
  }).observe(document.documentElement, { childList: true, subtree: true });

  /* Every printed page names what it shows and cites its sources: the page's title
   * at the top, the sources line (#print-sources) and the page number at the foot, in
   * the @page margin boxes (a style element rewritten when the title changes). */
  function cssString(text) {
    return '"' + String(text).replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/[\r\n]+/g, " ") + '"';
  }
  function printMargins(title) {
    var sources = document.getElementById("print-sources");
    var style = document.getElementById("territoires-print-page");
    if (!style) {
      style = document.createElement("style");
      style.id = "territoires-print-page";
      document.head.appendChild(style);
    }
    var box = "font: 8pt sans-serif; color: #222;";
    style.textContent =
      "@page { margin: 1.5cm 1.2cm 1.9cm 1.2cm;" +
      " @top-left { content: " + cssString(title) + "; " + box + " }" +
      " @bottom-left { content: " + cssString(sources ? sources.textContent : "") + "; " +
      box + " font-size: 7pt; }" +
      ' @bottom-right { content: "page " counter(page) " / " counter(pages); ' + box +
      " white-space: nowrap; width: 2.2cm; } }";
  }

  /* Clientside callbacks: keep the address bar equal to the permalink without
   * adding a history entry per map move, and print the portrait. */
  /* The map page's view state from its controls: the fields of
   * dashboards/permalink.py ViewState.to_dict (centre rounded to 5 decimals). */
  function round5(x) {
    return Math.round(Number(x) * 1e5) / 1e5;
  }
  function carteView(level, indicator, method, k, palette, facilities, basemap, stops,
    center, zoom, territory, view) {
    var state = Object.assign({}, view || {}, {
      page: "carte",
      level: level,
      indicator: indicator,
      classification: method,
      k: parseInt(k, 10) || 5,
      palette: palette,
      facilities: (facilities || []).slice(),
      basemap: (basemap || []).indexOf("osm") >= 0,
      stops: (stops || []).indexOf("stops") >= 0,
      territory: territory || "",
    });
    var lat = null;
    var lon = null;
    if (center && !Array.isArray(center) && center.lat !== undefined) {
      lat = center.lat;
      lon = center.lng !== undefined ? center.lng : center.lon;
    } else if (Array.isArray(center) && center.length === 2) {
      lat = center[0];
      lon = center[1];
    }
    if (lat !== null && lon !== null && zoom !== null && zoom !== undefined) {
      state.lat = round5(lat);
      state.lon = round5(lon);
      state.zoom = Number(zoom);
    }
    return state;
  }

  /* The indicator picker's options for what the user typed: every typed word must
   * begin a word of the option (its label and theme), accents and case aside, so
   * that "ESS" finds the ESS theme and not "Accessibilité". A theme's heading stays
   * above its matching indicators; the chosen indicator always stays (hidden by the
   * dropdown's own filter when it does not match); names beginning with the typed
   * text come first. */
  function folded(text) {
    return String(text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  var PICKER_VALUE = null;
  /* The full list, once no dropdown is open and nothing is typed in the picker: a
   * list replaced under the pointer could make a click land on another option. */
  var PICKER_IDLE_POLL_MS = 250;
  function whenPickerIdle(all) {
    return new Promise(function (resolve) {
      function check() {
        var api = window.dash_component_api;
        var layout = api && api.getLayout ? api.getLayout("indicator") : null;
        var typed = layout && layout.props ? layout.props.search_value : "";
        var open = document.querySelector(".dash-dropdown-option, .dash-dropdown-search");
        if (typed || open) {
          window.setTimeout(check, PICKER_IDLE_POLL_MS);
        } else {
          resolve(all);
        }
      }
      check();
    });
  }
  function pickerOptions(search, all, value) {
    if (!all) {
      return window.dash_clientside.no_update;
    }
    var words = folded(search).split(/[^a-z0-9]+/).filter(Boolean);
    var picked = value !== PICKER_VALUE;
    PICKER_VALUE = value;
    if (!words.length) {
      // the whole list back; after a choice, once the map shows it (the dropdown
      // indexes the 245 options again: 0.1 s of the main thread)
      return picked ? whenRestyled(all).then(whenPickerIdle) : all;
    }
    var out = [];
    var heading = null;
    all.forEach(function (o) {
      var tokens = folded(o.label + " " + (o.search || "")).split(/[^a-z0-9]+/);
      var hit = words.every(function (w) {
        return tokens.some(function (t) {
          return t.indexOf(w) === 0;
        });
      });
      if (o.disabled && o.search === undefined) {
        heading = o; // a theme's heading: shown with its first match
        return;
      }
      if (hit || o.value === value) {
        if (heading && hit && !o.disabled) {
          out.push(heading);
          heading = null;
        }
        out.push(o);
      }
    });
    // an indicator whose name begins with what was typed comes first
    var typed = folded(search).trim();
    var first = out.filter(function (o) {
      return !o.disabled && folded(o.label).indexOf(typed) === 0;
    });
    if (first.length && first.length < out.length) {
      out = first.concat(out.filter(function (o) {
        return first.indexOf(o) < 0;
      }));
    }
    return out;
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    territoires: {
      pickerOptions: pickerOptions,
      /* The départements' outlines over the fills, once the map is painted (at the
       * département level the same file as the choropleth's: read from the cache). */
      outlinesUrl: function (styled, url, current) {
        return !url || url === current ? window.dash_clientside.no_update : whenPainted(url);
      },
      /* Every option of the indicator picker, once the map is painted (the page comes
       * with the chosen one only: the dropdown indexes its options as they change). */
      pickerAll: function (styled, all, current, search) {
        if (!all || search || (current && current.length >= all.length)) {
          return window.dash_clientside.no_update;
        }
        return whenPainted(all).then(whenPickerIdle);
      },
      carteView: carteView,
      gridRows: gridRows,
      restyle: restyle,
      geoUrl: function (level, urls) {
        if (!urls || !urls[level]) {
          return window.dash_clientside.no_update;
        }
        PENDING_LEVEL = level;
        return urls[level];
      },
      replaceUrl: function (href) {
        if (!href) {
          return "";
        }
        if (window.location.pathname + window.location.search !== href) {
          window.history.replaceState(window.history.state, "", href);
        }
        return window.location.origin + href;
      },
      setTitle: function (title) {
        if (title) {
          document.title = title;
          printMargins(title);
        }
        return title || "";
      },
      printPage: function (nClicks) {
        if (nClicks) {
          window.print();
        }
        return nClicks || 0;
      },
    },
  });
})();
