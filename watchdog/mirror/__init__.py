"""Offline mirror of the sources Scorewatch crawls, served on 127.0.0.1 only.

The mirror reproduces a source's URL paths, paging, response formats and failure modes (block
page, captcha, HTTP 500, truncated body, changed layout) so spiders and tests never touch the
network. Person-level records are SYNTHETIC DEMO DATA, generated deterministically from
`data/mirror/<source>.yaml`; nothing served describes any actual person or company.

- `generator`: settings loader and the deterministic record generator (with its ground truth);
- `formats`: renders canonical records into each format the source has used;
- `server`: the threaded HTTP server with its failure switches and control endpoint.
"""
