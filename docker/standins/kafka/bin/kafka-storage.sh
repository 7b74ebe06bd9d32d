#!/usr/bin/env bash
# The kafka-storage tool: kafka.tools.StorageTool with the tools' quiet log4j2 config.
exec "$(dirname "${BASH_SOURCE[0]}")/kafka-run-class.sh" kafka.tools.StorageTool "$@"
