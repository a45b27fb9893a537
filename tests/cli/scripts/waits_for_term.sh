#!/bin/sh
# Runs until stopped: on SIGTERM it writes DIR/JOB.term and exits 143. DIR is its first argument;
# DIR/JOB.started says it is running.
dir=$1
trap 'echo term > "$dir/$JOBQ_JOB_ID.term"; exit 143' TERM
echo "progress 10 started"
# In the background, so the trap runs as soon as the signal comes, not when sleep ends.
sleep 120 &
echo $$ > "$dir/$JOBQ_JOB_ID.started"
wait $!
