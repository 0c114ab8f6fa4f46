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

  function fillOf(h, i) {
    var c = h.cls ? h.cls[i] : -1;
    if (c === -2) {
      return "url(#territoires-hatch-secret)";
    }
    if (c === undefined || c === null || c < 0 || !h.colors || !h.colors[c]) {
      return "url(#territoires-hatch-missing)";
    }
    return h.colors[c];
  }

  function tooltipHtml(feature, h) {
    var i = feature.properties.i;
    var c = h.cls ? h.cls[i] : -1;
    var lines = ["<strong>" + escapeHtml(feature.properties.name) + "</strong>"];
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
      lines.push("Rang " + h.rank[i] + " sur " + h.n + " (" + escapeHtml(h.rankNote || "") + ")");
    }
    if (h.onePoint) {
      lines.push('<span class="tip-note">' + escapeHtml(h.onePoint) + "</span>");
    }
    return lines.join("<br>");
  }

  var choropleth = {
    style: function (feature, context) {
      var h = hideoutOf(context);
      var selected = h.sel === feature.properties.i;
      var missed = unmet(h, feature.properties.i);
      return {
        fillColor: fillOf(h, feature.properties.i),
        fillOpacity: 0.88,
        color: selected ? "#111111" : missed ? "#b2182b" : "#ffffff",
        weight: selected ? 3.5 : missed ? 2.5 : 0.7,
        dashArray: missed ? "6 4" : null,
        opacity: 1,
        className:
          "territoires-area code-" + feature.properties.code +
          (selected ? " territoires-selected" : "") + (missed ? " territoires-unmet" : ""),
      };
    },
    hover: function () {
      return { weight: 2.5, color: "#333333" };
    },
    onEachFeature: function (feature, layer, context) {
      var h = hideoutOf(context);
      layer.bindTooltip(function () {
        return tooltipHtml(feature, h);
      }, { sticky: true, direction: "auto" }); // "auto": never cut off at the map edge
      layer.on("add", function () {
        // 332+ shapes must not be 332 tab stops: keyboard users get the search and
        // the data-table twin below the map instead.
        var el = layer.getElement && layer.getElement();
        if (el) {
          el.setAttribute("tabindex", "-1");
        }
        if (h.sel === feature.properties.i) {
          layer.bringToFront();
        }
      });
    },
  };

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
      var removing = feature.properties.action === "remove";
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

  window.territoires = {
    choropleth: choropleth,
    facilities: facilities,
    transit: transit,
    planner: planner,
    formatNumber: formatNumber,
    commitmentText: commitmentText,
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
  new MutationObserver(function (changes) {
    if (changes.some(function (c) { return c.addedNodes.length > 0; })) {
      frenchZoom();
    }
  }).observe(document.documentElement, { childList: true, subtree: true });

  /* Clientside callbacks: keep the address bar equal to the permalink without
   * adding a history entry per map move, and print the portrait. */
  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    territoires: {
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
