#!/bin/sh
# Ignores SIGTERM (its sleep too, by inheritance): only SIGKILL ends it. Writes its own pid and its
# sleep's to DIR/JOB.started (DIR is its first argument).
dir=$1
trap '' TERM
sleep 120 &
echo "$$ $!" > "$dir/$JOBQ_JOB_ID.started"
wait $!
