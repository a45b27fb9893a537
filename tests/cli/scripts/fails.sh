#!/bin/sh
# Fails: a few lines on stderr, then exit code 3.
echo "progress 10 trying"
echo "first problem" >&2
echo "the disk is on fire" >&2
exit 3
