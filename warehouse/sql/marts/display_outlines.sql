-- The map's outlines packed for the page's canvas renderer, one gzipped file per level
-- (warehouse/outlines.py pack_outlines), filled by write_display_outlines.
CREATE OR REPLACE TABLE display_outlines (
    level VARCHAR PRIMARY KEY,
    gz BLOB NOT NULL
);
