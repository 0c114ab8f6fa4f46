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
})();
