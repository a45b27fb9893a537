#!/bin/sh
# A jobq worker in shell: `jobq worker --type checksum -- examples/shell_worker/checksum.sh`.
# The payload (any JSON) arrives on stdin; progress and the result go to stdout; a failure is a
# non-zero exit with the reason on stderr.
set -eu

work=$(mktemp)
# Cancelled or timed out: jobq sends SIGTERM first, which is the moment to clean up.
trap 'rm -f "$work"; exit 143' TERM INT
trap 'rm -f "$work"' EXIT

echo "stage reading"
cat > "$work"
if [ "$(cat "$work")" = "null" ]; then
  echo "checksum: the payload is empty (submit one: jobq submit checksum '{\"any\": \"json\"}')" >&2
  exit 2
fi
echo "progress 30 payload read"

echo "stage hashing"
sum=$(sha256sum "$work" | cut -d' ' -f1)
bytes=$(wc -c < "$work" | tr -d ' ')
echo "progress 90 hashed $bytes bytes"

echo "job $JOBQ_JOB_ID (attempt $JOBQ_ATTEMPT) done"  # a plain line: logged by the worker
printf '{"sha256":"%s","bytes":%s}\n' "$sum" "$bytes"
