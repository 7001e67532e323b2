#!/bin/sh
# Reports one failure with a diagnostic line: must appear as "not ok".
echo "1..2"
echo "ok 1 fine"
echo "# diagnostic: expected 1, got 2"
echo "not ok 2 deliberate failure"
exit 1
