"""Click commands that live outside `watchdog/cli.py` and are registered on its group there.

- `model_commands`: `score` (one person under one regime, with contributions, citations and what
  would move them up) and `simulate` (a synthetic population with the network effect).
- `jobs_commands`: the `jobs` group (`list`, `run`) and the `admin` group (`set-password`).
"""

from watchdog.commands.jobs_commands import admin_group, jobs_group
from watchdog.commands.model_commands import score_command, simulate_command

__all__ = ["admin_group", "jobs_group", "score_command", "simulate_command"]
