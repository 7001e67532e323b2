# Tests: host unit tests, guest test programs and initramfs images, and the
# check/demo entry points.  The kselftest harness headers come from the
# cache (scripts/deps.sh extracts them from linux-source-6.1).

KSFT_CFLAGS := -isystem $(CACHE)/kselftest
TEST_CFLAGS := -O2 -g -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE \
	-isystem kmod/uapi $(DAEMON_INC) -Idaemon/capture -Itools/ckpt-restore/files \
	-Iselftests/guest/lib $(KSFT_CFLAGS) \
	-Wno-unused-parameter -Wno-sign-compare

# --- host unit tests: selftests/host/<t>.c -> build/host/<t> -------------
HOST_TEST_SRCS := $(wildcard selftests/host/*_test.c)
HOST_TESTS := $(HOST_TEST_SRCS:selftests/host/%.c=$(BUILD)/host/%) \
	$(patsubst selftests/host/%,$(BUILD)/host/%,$(wildcard selftests/host/*.sh)) \
	$(BUILD)/testbin/image_mkimage

HOST_TEST_LIBS := $(RESTORE_FILES_OBJS) $(DAEMON_A) $(CONFIG_A) $(IMAGE_A) $(COMMON_A)
# the shared fixtures (selftests/host/helpers.{c,h}), linked into every test
HOST_HELPERS_O := $(BUILD)/obj/selftests/host/helpers.o

$(HOST_HELPERS_O): selftests/host/helpers.c $(wildcard selftests/host/*.h) | need-ksft
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(TEST_CFLAGS) -c -o $@ $<

$(BUILD)/host/%_test: selftests/host/%_test.c $(HOST_HELPERS_O) $(HOST_TEST_LIBS) $(wildcard selftests/host/*.h) | need-ksft
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(TEST_CFLAGS) -o $@ $< $(HOST_HELPERS_O) $(HOST_TEST_LIBS) $(NL_LIBS) $(URING_LIBS) $(ZSTD_LIBS) $(PEER_LIBS) -lpthread

# helpers of the host tests (not run by themselves: check.sh runs build/host/*)
$(BUILD)/testbin/%: selftests/host/%.c $(HOST_HELPERS_O) $(HOST_TEST_LIBS) $(wildcard selftests/host/*.h) | need-ksft
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(TEST_CFLAGS) -o $@ $< $(HOST_HELPERS_O) $(HOST_TEST_LIBS) $(NL_LIBS) $(URING_LIBS) $(ZSTD_LIBS) $(PEER_LIBS) -lpthread

$(BUILD)/host/%.sh: selftests/host/%.sh
	@mkdir -p $(dir $@)
	$(Q)install -m 755 $< $@

# --- guest programs: static, no shared libraries in the guest ------------
GUEST      := $(BUILD)/guest
# restore round trips carry open files: the capture half runs in the guest
CAPTURE_SRCS := $(wildcard daemon/capture/*.c) common/proc_stat.c
GUEST_LIB  := selftests/guest/lib/genl_raw.c selftests/guest/lib/workload.c \
	selftests/guest/lib/page_scan.c \
	selftests/guest/lib/dump_helpers.c selftests/guest/lib/privs.c \
	common/extack.c common/dump_stream.c
# the formats the guest programs read: the ABI, captured files, images
FORMAT_HDRS := kmod/uapi/linux/ckpt.h common/files_format.h \
	image/include/image_format.h
KMOD_TEST_SRCS := $(wildcard selftests/guest/kmod/*.c)
RESTORE_TEST_SRCS := $(wildcard selftests/guest/restore/*.c)
DAEMON_TEST_SRCS := $(wildcard selftests/guest/daemon/*.c)
GUEST_FILES := \
	$(KMOD_TEST_SRCS:selftests/guest/kmod/%.c=$(GUEST)/tests/kmod/%) \
	$(RESTORE_TEST_SRCS:selftests/guest/restore/%.c=$(GUEST)/tests/restore/%) \
	$(DAEMON_TEST_SRCS:selftests/guest/daemon/%.c=$(GUEST)/tests/daemon/%) \
	$(GUEST)/bin/ckpt-restore $(GUEST)/bin/ckpt_rt_prog \
	$(GUEST)/bin/ckptd $(GUEST)/bin/ckpt_memhog $(GUEST)/bin/ckpt_isol \
	$(GUEST)/bin/ckpt_writer \
	$(patsubst selftests/guest/%,$(GUEST)/tests/%,$(wildcard selftests/guest/*/*.sh)) \
	$(GUEST)/bin/ckptctl $(GUEST)/bin/net_xfer $(GUEST)/bin/tcp_stream \
	$(GUEST)/bin/ckpt_migrate_prog \
	$(patsubst bench/guest/%.c,$(GUEST)/tests/bench/%,$(wildcard bench/guest/*.c))

$(GUEST)/tests/kmod/%: selftests/guest/kmod/%.c $(GUEST_LIB) $(LIBCKPT_A) $(wildcard selftests/guest/lib/*.h) $(FORMAT_HDRS) | need-ksft
	@mkdir -p $(dir $@)
	@echo "  CC      $@ (static)"
	$(Q)$(CC) $(TEST_CFLAGS) -Ilibckpt_user/include -static -o $@ $< \
		$(GUEST_LIB) $(LIBCKPT_A) $(KMOD_TEST_LIBS) -lpthread

# kmod tests that need a library of their own (linked statically)
$(GUEST)/tests/kmod/defects_iouring: KMOD_TEST_LIBS := -luring
# the data file tests check the module's page hashes (xxh64 of the image)
$(GUEST)/tests/kmod/dump_datafd: KMOD_TEST_LIBS := common/xxh64.c
$(GUEST)/tests/kmod/dump_datafd: common/xxh64.c

# restore round trips: the dumper side links the image writer (io_uring)
$(GUEST)/tests/restore/%: selftests/guest/restore/%.c selftests/guest/lib/restore_helpers.c $(GUEST_LIB) $(IMAGE_SRCS) common/xxh64.c common/err.c $(CAPTURE_SRCS) $(wildcard selftests/guest/lib/*.h) $(FORMAT_HDRS) | need-ksft
	@mkdir -p $(dir $@)
	@echo "  CC      $@ (static)"
	$(Q)$(CC) $(TEST_CFLAGS) -static -o $@ $< selftests/guest/lib/restore_helpers.c \
		$(GUEST_LIB) $(IMAGE_SRCS) common/xxh64.c common/err.c $(CAPTURE_SRCS) -luring -lzstd -lpthread

# the restore workload: dynamic, so that restores map shared libraries;
# pthread_exit() dlopens libgcc_s: linked as needed, ldd lists it and the
# initramfs carries it
$(GUEST)/bin/ckpt_rt_prog: selftests/guest/restore-prog/rt_prog.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) -O2 -g -std=gnu11 -Wall -Wextra -Werror -mavx -o $@ $< -lpthread \
		-Wl,--push-state,--no-as-needed -lgcc_s -Wl,--pop-state

$(GUEST)/bin/ckpt-restore: $(BUILD)/bin/ckpt-restore
	@mkdir -p $(dir $@)
	$(Q)install -m 755 $< $@

# the daemon suite: tests talk to a real ckptd over its control socket
$(GUEST)/tests/daemon/%: selftests/guest/daemon/%.c common/ctl_proto.c common/ctl_proto.h common/err.c | need-ksft
	@mkdir -p $(dir $@)
	@echo "  CC      $@ (static)"
	$(Q)$(CC) $(TEST_CFLAGS) -static -o $@ $< common/ctl_proto.c common/err.c

$(GUEST)/bin/ckpt_memhog: selftests/guest/daemon/helpers/memhog.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@ (static)"
	$(Q)$(CC) -O2 -std=gnu11 -Wall -Wextra -Werror -static -o $@ $< -lm

# the isolation tests' processes (daemon/70-isolation.sh)
$(GUEST)/bin/ckpt_isol: selftests/guest/daemon/helpers/isol.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@ (static)"
	$(Q)$(CC) -O2 -std=gnu11 -Wall -Wextra -Werror -static -o $@ $<

# the self-checking writers of the data path tests (daemon/80-datapath.sh)
$(GUEST)/bin/ckpt_writer: selftests/guest/daemon/helpers/writer.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@ (static)"
	$(Q)$(CC) -O2 -std=gnu11 -Wall -Wextra -Werror -static -o $@ $<

$(GUEST)/bin/ckptd: $(BUILD)/bin/ckptd
	@mkdir -p $(dir $@)
	$(Q)install -m 755 $< $@

# benchmarks run in the same guests, as the "bench" suite (make bench)
$(GUEST)/tests/bench/%: bench/guest/%.c $(GUEST_LIB) selftests/guest/lib/genl_raw.h $(FORMAT_HDRS) | need-ksft
	@mkdir -p $(dir $@)
	@echo "  CC      $@ (static)"
	$(Q)$(CC) $(TEST_CFLAGS) -static -o $@ $< $(GUEST_LIB) -lpthread

$(GUEST)/tests/%.sh: selftests/guest/%.sh
	@mkdir -p $(dir $@)
	$(Q)install -m 755 $< $@

$(GUEST)/bin/net_xfer: selftests/guest/net/net_xfer.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@ (static)"
	$(Q)$(CC) -O2 -std=gnu11 -Wall -Wextra -Werror -static -o $@ $< -lm

$(GUEST)/bin/ckpt_migrate_prog: selftests/guest/net/migrate_prog.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@ (static)"
	$(Q)$(CC) -O2 -std=gnu11 -Wall -Wextra -Werror -static -o $@ $<

$(GUEST)/bin/tcp_stream: selftests/guest/net/tcp_stream.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@ (static)"
	$(Q)$(CC) -O2 -std=gnu11 -Wall -Wextra -Werror -static -o $@ $<

$(GUEST)/bin/ckptctl: $(BUILD)/bin/ckptctl
	@mkdir -p $(dir $@)
	$(Q)install -m 755 $< $@

# --- one initramfs per guest kernel --------------------------------------
GUEST_KVERS := $(KVER_6_1) $(KVER_6_12)
# zram and fuse: the swapped-shmem and FUSE tests of the kmod suite (fuse is
# built in on 6.12)
GUEST_MODULES := virtio_pci virtio_net zram fuse

$(BUILD)/initrd/%.cpio: $(BUILD)/kmod/%/ckpt.ko $(GUEST_FILES) selftests/vm/mkinitramfs.sh selftests/vm/guest-init.sh | need-vm
	@mkdir -p $(dir $@)
	@echo "  INITRD  $@"
	$(Q)./selftests/vm/mkinitramfs.sh --kver $* --cache $(CACHE) --out $@ \
		--ko $< --bin $(GUEST)/bin --tests $(GUEST)/tests \
		--modules "$(GUEST_MODULES)"

.PHONY: host-tests guest-images check check-run demo
host-tests: $(HOST_TESTS)
guest-images: $(foreach k,$(GUEST_KVERS),$(BUILD)/initrd/$(k).cpio)

# make check installs what it needs first (deps), then re-reads the cache
# description so that the guest kernels are known.
check:
	$(Q)$(MAKE) deps
	$(Q)$(MAKE) check-run

check-run: all host-tests guest-images
	$(Q)CKPT_CACHE=$(CACHE) BUILD=$(BUILD) KVER_6_1=$(KVER_6_1) \
		KVER_6_12=$(KVER_6_12) ./scripts/check.sh

demo:
	$(Q)$(MAKE) deps
	$(Q)$(MAKE) all $(BUILD)/initrd/$(KVER_6_1).cpio
	$(Q)CKPT_CACHE=$(CACHE) BUILD=$(BUILD) ./scripts/demo.sh $(KVER_6_1)

# Benchmarks (make bench): mk/bench.mk
