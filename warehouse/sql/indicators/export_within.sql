-- Name of the territory an export is restricted to.
SELECT name FROM territories WHERE level = $within_level AND code = $within_code
