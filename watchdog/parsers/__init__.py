"""Parsers shared by the spiders and by `watchdog import`.

A file a journalist saved from a browser and a response the spider fetched go through the same
code, so both are held to the same rules: known fields are popped, whatever is left is reported as
unknown (by name only), dates and widths are normalised in one place (`common`), and natural
persons are reduced to keyed hashes before anything leaves a parser (`watchdog.privacy`).

Modules:
- `common`: dates, widths, case codes, sex, circumstances.
- `errors`: `FormatError` (the file is not a format we know), `RecordError` (one record is not a
  listing), `BlockedError` (the body is a block or captcha page).
- `court_dishonest` (+ `court_dishonest_formats`): the list of dishonest judgment debtors
  (zxgk detail/search/rolling list, the Baidu open-data mirror).
"""
