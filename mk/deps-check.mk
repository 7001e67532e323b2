# Prerequisite checks, run as order-only prerequisites so that a missing
# package is reported by name (with 'make deps') before anything compiles.

.PHONY: need-user need-kmod need-vm need-ksft

need-user:
	$(Q)./scripts/need.sh cmd:cc:build-essential cmd:pkg-config:pkg-config \
		pc:libnl-genl-3.0:libnl-genl-3-dev pc:liburing:liburing-dev \
		pc:libzstd:libzstd-dev pc:libcrypto:libssl-dev

need-kmod:
	$(Q)if [ -z "$(KVER)" ]; then \
		echo "ckpt: no kernel to build ckpt.ko for: set KVER= or KDIR=, or run 'sudo make deps' for the test kernels" >&2; \
		exit 1; fi
	$(Q)./scripts/need.sh "file:$(KDIR)/Makefile:linux-headers-$(KVER)"

need-ksft:
	$(Q)./scripts/need.sh "file:$(CACHE)/kselftest/kselftest_harness.h:linux-source-6.1 (cached)"

need-vm: need-ksft
	$(Q)./scripts/need.sh cmd:qemu-system-x86_64:qemu-system-x86 \
		file:/bin/busybox:busybox-static cmd:cpio:cpio cmd:vde_switch:vde2 \
		cmd:modprobe:kmod "file:$(CACHE)/kernels.mk:guest kernels (cached)"
