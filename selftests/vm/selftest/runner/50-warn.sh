#!/bin/sh
# Passes, but leaves a WARNING: line in the kernel log.
echo "WARNING: injected by the runner self-test" > /dev/kmsg
echo "1..1"
echo "ok 1 wrote a fake WARNING to /dev/kmsg"
