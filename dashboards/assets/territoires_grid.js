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
})();
