/**
 * The naming rules several packages check: a pipeline's and its nodes' names (they key Flink
 * operator state, consumer groups and dead letters), ClickHouse identifiers and Kafka topics.
 */

/** Lower-case kebab-case, 1 to 63 characters: letters and digits in words joined by single "-". */
export const NODE_NAME_PATTERN = /^(?=.{1,63}$)[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** The node-name rule in words, for error messages. */
export const NODE_NAME_RULE = 'kebab-case (lower-case letters and digits separated by "-", max 63 characters)';

/** A plain SQL identifier: letters, digits, underscore, not starting with a digit. */
export const IDENTIFIER_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A legal Kafka topic name. */
export const TOPIC_PATTERN = /^[A-Za-z0-9._-]{1,249}$/;
