"""The real ``intake`` executable, run as a user runs it, with only the settings a test gives."""

import os
import subprocess
import sys
from pathlib import Path

INTAKE = str(Path(sys.executable).with_name("intake"))


def intake(
    args: list[str], cwd: Path, stdin: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("INTAKE_", "SLACK_", "DISCORD_"))
    }
    environment.update(env)
    return subprocess.run(
        [INTAKE, *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        timeout=60,
        check=False,
    )
