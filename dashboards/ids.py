"""Component ids, one constant each, shared by layouts, callbacks and browser tests."""

from __future__ import annotations

# Shell (present on every page)
URL = "url"
PAGE = "page-content"
MESSAGES = "messages"
VIEW = "view-store"
PERMALINK = "permalink-store"
PERMALINK_TEXT = "permalink-text"
PAGE_TITLE = "page-title"  # hidden: the page's title, copied to document.title
PRINT_SOURCES = "print-sources"  # hidden: the sources line of every printed page
SELECTION = "selection"  # pattern-matching type of the per-page selection stores


def selection(page: str) -> dict[str, str]:
    """Id of a page's store receiving search picks (each page has its own, so no
    callback ever waits on a component of another page)."""
    return {"type": SELECTION, "page": page}


def is_selection(trigger: object) -> bool:
    """Whether a callback was triggered by a selection store."""
    return isinstance(trigger, dict) and trigger.get("type") == SELECTION


NAV_CARTE = "nav-carte"
NAV_PORTRAIT = "nav-portrait"
NAV_DONNEES = "nav-donnees"
SEARCH_INPUT = "search-input"
SEARCH_RESULTS = "search-results"
SEARCH_HIT = "search-hit"  # pattern-matching type: {"type": SEARCH_HIT, "code": ...}

# Carte
LEVEL = "level"
MORE_CONTROLS = "more-controls"  # details: classes, palette, facilities, basemap
INDICATOR = "indicator"
INDICATOR_OPTIONS = "indicator-options"  # store: every option of the indicator picker
CLASSIFICATION = "classification"
CLASSES = "classes"
PALETTE = "palette"
FACILITY_TYPES = "facility-types"
BASEMAP = "basemap"
MAP = "map"
GOTO = "goto"  # pattern-matching type: {"type": GOTO, "place": "metropole" | "departement:971"}
CHOROPLETH = "choropleth"
MAP_DATA = "map-data"  # store: classes, values, ranks, colours of the choropleth
MAP_STYLED = "map-styled"  # store: when the choropleth was last restyled (clientside)
OUTLINES = "outlines"  # département outlines over the fills (context, not clickable)
TOWN_NAMES = "town-names"  # names of the largest communes (context, not clickable)
FACILITIES = "facilities"
TRANSIT_TOGGLE = "transit-toggle"  # checklist: show the stops of the loaded timetables
TRANSIT_STOPS = "transit-stops"  # the stops layer (sized by weekday departures)
TILES = "tiles"
LEGEND = "legend"
LEGEND_DIRECTION = "legend-direction"  # which end of the colours is better
LEGEND_SOURCE = "legend-source"  # the map's caption: sources and vintages
LEGEND_HISTOGRAM = "legend-histogram"  # distribution of the values, class breaks
SUMMARY = "summary"
GRID = "grid"
GRID_BASE = "grid-base"  # store: codes, names, populations of the level's table rows
OUTLINES_URL = "outlines-url"  # store: the outlines' geometry, loaded once the map is painted
GEO_URLS = "geo-urls"  # store: the map geometry's address of each level
TABLE_TWIN = "table-twin"
TERRITORY_PANEL = "territory-panel"
EXPORT_CSV = "export-csv"
EXPORT_XLSX = "export-xlsx"
EXPORT_GPKG = "export-gpkg"
EXPORT_THEME = "export-theme"  # every indicator of the map's theme (XLSX)
EXPORT_REQUEST = "export-request"  # store: format, theme, the table's rows (browser)
EXPORT_STATUS = "export-status"
DOWNLOAD = "download"
COMMITMENT_NOTE = "commitment-note"  # legend: what the commitment is, how many meet it
ONE_POINT_NOTE = "one-point-note"  # legend: commune values computed on one point each

# Planner (what-if)
PLANNER_MODE = "planner-mode"
PLANNER_TYPE = "planner-type"
PLANNER_LAYER = "planner-layer"
PLANNER_CHANGES = "planner-changes"
PLANNER_RESULT = "planner-result"
PLANNER_RESET = "planner-reset"
PLANNER_LIST = "planner-list"
PLANNER_TRAVEL = "planner-travel"
# Siting (issue 14): proposed new sites and the critical existing ones.
PLANNER_SITES_N = "planner-sites-n"
PLANNER_THRESHOLD = "planner-threshold"
PLANNER_PROPOSE = "planner-propose"
PLANNER_CRITICAL = "planner-critical"
PLANNER_SITING = "planner-siting"
PLANNER_SITES_LAYER = "planner-sites-layer"
PLANNER_SITING_ASKED = "planner-siting-asked"
PLANNER_SITING_EXPORT = "planner-siting-export"
PLANNER_SITING_DOWNLOAD = "planner-siting-download"
CARTE_TERRITORY = "carte-territory"
FACILITY_LEGEND = "facility-legend"

# Portrait
REFERENCE = "reference"
PORTRAIT_BODY = "portrait-body"
PORTRAIT_TITLE = "portrait-title"
PRINT = "print-button"
PRINT_DUMMY = "print-dummy"
PORTRAIT_ONE_POINT = "portrait-one-point"  # a commune's values come from one point
# pattern-matching types of a folded theme of "Tous les indicateurs": its summary
# ({"type": PORTRAIT_FOLD, "theme": ...}) and the block its table fills when opened
PORTRAIT_FOLD = "portrait-fold"
PORTRAIT_FOLDED = "portrait-folded"


def portrait_fold(theme: object) -> dict[str, object]:
    """The summary of a folded theme (``theme`` a code, or ``dash.MATCH``)."""
    return {"type": PORTRAIT_FOLD, "theme": theme}


def portrait_folded(theme: object) -> dict[str, object]:
    """The block a folded theme's table fills (``theme`` a code, or ``dash.MATCH``)."""
    return {"type": PORTRAIT_FOLDED, "theme": theme}


# Données & méthodes
DATA_EXPORT_CSV = "data-export-csv"
DATA_EXPORT_XLSX = "data-export-xlsx"
DATA_EXPORT_GPKG = "data-export-gpkg"
DATA_EXPORT_STATUS = "data-export-status"
DATA_DOWNLOAD = "data-download"
