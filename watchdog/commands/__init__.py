"""Click commands that live outside `watchdog/cli.py` and are registered on its group there.

- `model_commands`: `score` (one person under one regime, with contributions, citations and what
  would move them up) and `simulate` (a synthetic population with the network effect).
- `jobs_commands`: the `jobs` group (`list`, `run`) and the `admin` group (`set-password`).
- `match_commands`: `match` (company matching across sources).

Each is imported only when it is run or listed (`watchdog.cli.LazyGroup`), so nothing is
imported here: importing this package must stay cheap.
"""
