-- One level's packed outlines (warehouse/outlines.py write_display_outlines).
INSERT INTO display_outlines VALUES ($level, $gz);
