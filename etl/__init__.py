"""ETL: the sources catalogue, checked downloads and one loader per source."""
