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
})();
