"""One spider module per source id; each reads its URLs from `data/sources/<id>.yaml`."""
