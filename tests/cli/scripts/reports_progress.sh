#!/bin/sh
# Succeeds: reports a stage and progress, logs a line, and prints what it was given as its result.
set -eu
payload=$(cat)
echo "stage warming_up"
echo "progress 25 a quarter"
echo "just a log line"
echo "progress 75 three quarters"
printf '{"id":"%s","type":"%s","attempt":%s,"key":"%s","payload":%s}\n' \
  "$JOBQ_JOB_ID" "$JOBQ_JOB_TYPE" "$JOBQ_ATTEMPT" "${JOBQ_API_KEY:-}" "$payload"
