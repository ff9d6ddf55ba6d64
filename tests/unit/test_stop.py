"""`yrd stop` stops what this checkout's run-all recorded, and leaves every other instance alone."""

from __future__ import annotations

import os
import subprocess
import sys
import time

SLEEPER = "import sys, time; time.sleep(60)"


def lookalike() -> subprocess.Popen:
    """A process whose command line looks like an instance (`... yrd.cli serve ...`)."""
    return subprocess.Popen([sys.executable, "-c", SLEEPER, "yrd.cli", "serve", "filing"])


def test_stop_ends_only_the_recorded_instances(tmp_path):
    ours, theirs = lookalike(), lookalike()
    try:
        pidfile = tmp_path / "run" / "run-all.pid"
        pidfile.parent.mkdir()
        pidfile.write_text(f"{ours.pid}")
        env = {**os.environ, "YRD_DATA_DIR": str(tmp_path)}
        result = subprocess.run(
            [sys.executable, "-m", "yrd.cli", "stop"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        assert ours.wait(timeout=10) is not None
        time.sleep(0.2)
        assert theirs.poll() is None  # another checkout's (or a test run's) instance
        assert not pidfile.exists()
        again = subprocess.run([sys.executable, "-m", "yrd.cli", "stop"], env=env, capture_output=True, text=True)
        assert "none started by this checkout" in again.stdout
    finally:
        for process in (ours, theirs):
            process.kill()
            process.wait()
