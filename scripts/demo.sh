#!/usr/bin/env bash
# The `make run` demo. Filled in by the configuration and agent work.
set -euo pipefail
echo "as2-agent demo: not available yet"
