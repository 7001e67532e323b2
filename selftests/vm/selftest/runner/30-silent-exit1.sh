#!/bin/sh
# Exits 1 without printing anything.
exit 1
