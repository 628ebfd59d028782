#!/bin/bash
# Bare: UART scratch register round trips; unmodelled ports read safely.
# timeout: 180
. "$(dirname "$0")/lib.sh"
tk_run 30 "test=pio"
tk_expect pio PASS
tk_done 1 0 0
echo PASS
