# ckpt - top-level build.  Plain GNU make; quiet unless V=1.
#
#   make                 ckpt.ko for KVER/KDIR and all userspace
#   sudo make deps       install and cache what building and testing need
#   make check           host unit tests + guest suites on 6.1 and 6.12
#   make demo            two guests: a job moves from alpha to beta
#   make bench           benchmarks in the guests (numbers, not pass/fail)
#   make fuzz            every parser fuzz target at length (mk/fuzz.mk)
#   sudo make install    install module, programs and man pages
#
# KVER= / KDIR= pick the kernel ckpt.ko is built for.  Default: the running
# kernel if its build directory exists, else the 6.1 test kernel.

VERSION    := 0.1.0
CACHE      ?= $(CURDIR)/.cache
BUILD      ?= $(CURDIR)/build
PREFIX     ?= /usr/local
DESTDIR    ?=

-include $(CACHE)/kernels.mk

ifeq ($(V),1)
Q :=
else
Q := @
MAKEFLAGS += --no-print-directory
endif

RUNNING_KVER := $(shell uname -r)
ifneq ($(origin KDIR),undefined)
KVER ?= $(shell $(MAKE) -s -C $(KDIR) kernelrelease 2>/dev/null)
else
ifeq ($(KVER),)
KVER := $(if $(wildcard /lib/modules/$(RUNNING_KVER)/build/Makefile),$(RUNNING_KVER),$(KVER_6_1))
endif
KDIR := /lib/modules/$(KVER)/build
endif

include mk/deps-check.mk
include mk/userspace.mk
include mk/restore.mk
include mk/libckpt_user.mk
include mk/kmod.mk
include mk/selftests.mk
include mk/bench.mk
include mk/install.mk
include mk/fuzz.mk

.PHONY: all deps clean
.DEFAULT_GOAL := all
# Keep chained outputs (per-kernel modules, staged guest files).
.SECONDARY:

all: kmod userspace libckpt_user

deps:
	$(Q)CKPT_CACHE=$(CACHE) ./scripts/deps.sh

clean:
	$(Q)rm -rf $(BUILD)
