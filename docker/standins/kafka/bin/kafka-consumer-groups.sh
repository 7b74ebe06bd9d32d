#!/usr/bin/env bash
# The kafka-consumer-groups tool: org.apache.kafka.tools.consumer.group.ConsumerGroupCommand with the tools' quiet log4j2 config.
exec "$(dirname "${BASH_SOURCE[0]}")/kafka-run-class.sh" org.apache.kafka.tools.consumer.group.ConsumerGroupCommand "$@"
