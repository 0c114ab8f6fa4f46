/* dash-ag-grid value formatters: French numbers in the data-table twin of the map. */
(function () {
  "use strict";
  var dagfuncs = (window.dashAgGridFunctions = window.dashAgGridFunctions || {});
  dagfuncs.frNumber = function (value, decimals) {
    if (value === null || value === undefined) {
      return "";
    }
    var text = window.territoires ? window.territoires.formatNumber(value, decimals) : null;
    return text === null ? String(value) : text;
  };
  /* The value cell of the table twin: secret and missing values in words, never 0. */
  dagfuncs.frValue = function (params, decimals) {
    var data = params.data || {};
    if (data.secret) {
      return "secret statistique";
    }
    if (params.value === null || params.value === undefined) {
      return "non disponible";
    }
    return dagfuncs.frNumber(params.value, decimals);
  };
  /* The rank cell, short: "12" or "1 212e ex aequo (4)" (the tooltip says "sur N"). */
  dagfuncs.frRank = function (params) {
    var data = params.data || {};
    if (!params.value) {
      return "";
    }
    var rank = dagfuncs.frNumber(params.value, 0); // "21 764", as the totals
    if ((data.tied || 1) > 1) {
      return (params.value === 1 ? "1er" : rank + "e") + " ex aequo (" +
        dagfuncs.frNumber(data.tied, 0) + ")";
    }
    return rank;
  };
  /* The "Statut" cell of the table twin (dashboards/components/table.py): a missing
   * value says why (`notes[why - 1]`, the warehouse's note), a commitment whether it
   * is met and by how much (same words as the map tooltip). */
  dagfuncs.frStatus = function (params, notes, target, unit, decimals) {
    var data = params.data || {};
    var status = data.status || "";
    var why = data.why && notes ? notes[data.why - 1] : null;
    if (why && status.indexOf("non disponible") === 0) {
      status = why + status.slice("non disponible".length); // the note starts "Non disponible"
    }
    var engagement = "";
    if (!data.secret && window.territoires && target !== null && target !== undefined) {
      var shown = data.value === null || data.value === undefined
        ? null
        : Number(data.value.toFixed(decimals));
      engagement = window.territoires.commitmentText(shown, target, unit, decimals);
    }
    return engagement ? engagement + (status ? " ; " + status : "") : status;
  };
  /* Export buttons of the map page: which button, and the codes of the table's rows
   * in their displayed order when the user filtered or sorted the table (null: every
   * row of the view, by code). The server writes the file. */
  window.dash_clientside = Object.assign({}, window.dash_clientside);
  window.dash_clientside.territoires_grid = {
    exportRequest: function () {
      var ctx = window.dash_clientside.callback_context;
      var button = ctx && ctx.triggered_id;
      if (!button) {
        return window.dash_clientside.no_update;
      }
      var rows = null;
      if (window.territoires && window.territoires.flushGrid) {
        window.territoires.flushGrid(); // rows of the indicator on screen, not the last
      }
      var api = window.dash_ag_grid && window.dash_ag_grid.getApi
        ? window.dash_ag_grid.getApi("grid")
        : null;
      if (api) {
        var sorted = (api.getColumnState() || []).some(function (c) { return !!c.sort; });
        if (api.isAnyFilterPresent() || sorted) {
          rows = [];
          api.forEachNodeAfterFilterAndSort(function (node) {
            if (node.data) {
              rows.push(node.data.code);
            }
          });
        }
      }
      return { button: button, rows: rows, at: Date.now() };
    },
  };
})();
