#!/bin/sh
# Crashes the kernel in the middle of the program.  The pause lets "ok 1"
# leave the UART first: a panic loses what is still in the guest's tty and
# pipe buffers (see Documentation/testing.md, "Limits").
echo "1..2"
echo "ok 1 before the panic"
sleep 1
echo c > /proc/sysrq-trigger
echo "ok 2 unreachable"
