"""One blueprint per page. `_twins` gives each table page its `.json` and `.csv` twins;
`_common` holds the engine, the site's state and the strict query-string parsers."""
