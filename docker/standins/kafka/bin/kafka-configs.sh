#!/usr/bin/env bash
# The kafka-configs tool: kafka.admin.ConfigCommand with the tools' quiet log4j2 config.
exec "$(dirname "${BASH_SOURCE[0]}")/kafka-run-class.sh" kafka.admin.ConfigCommand "$@"
