"""Pure builders of map styling data (classes, colours, hideout, legend entries)."""
