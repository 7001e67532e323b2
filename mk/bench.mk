# Benchmarks (make bench): ckpt side by side with Debian's criu in the test
# guests.  Never part of make check.  The bench guests boot their own
# initramfs, build/initrd/bench-KVER.cpio: the check image plus criu (and
# the libraries ldd lists for it), the modules criu needs, the benchmark
# workload and tools (bench/bin/) and the bench suites (bench/guest*).

BENCH_STAGE   := $(BUILD)/bench-stage
BENCH_BIN     := $(GUEST)/bench-bin
CRIU_BIN      ?= /usr/sbin/criu
BENCH_MODULES := crc32c_generic nf_tables unix_diag inet_diag tcp_diag \
	udp_diag netlink_diag af_packet_diag tun veth
BENCH_PROGS := $(patsubst bench/guest/%.c,$(GUEST)/tests/bench/%,$(wildcard bench/guest/*.c))
BENCH_FILES := $(GUEST_FILES) $(BENCH_PROGS) $(BENCH_BIN)/ckpt_bench_wl $(BENCH_BIN)/ckpt_bench_util \
	$(wildcard bench/guest/*.sh bench/guest/lib/*.sh bench/guest-mig/*.sh)

# the bench programs share the /proc/vmstat reader (the rule that builds
# bench/guest/*.c is mk/selftests.mk's)
$(BENCH_PROGS): bench/bin/bench_vmstat.h

# the workload: dynamic, like the restore workload, so that both tools map
# shared libraries
$(BENCH_BIN)/ckpt_bench_wl: bench/bin/ckpt_bench_wl.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) -O2 -g -std=gnu11 -Wall -Wextra -Werror -o $@ $<

$(BENCH_BIN)/ckpt_bench_util: bench/bin/ckpt_bench_util.c bench/bin/bench_vmstat.h
	@mkdir -p $(dir $@)
	@echo "  CC      $@ (static)"
	$(Q)$(CC) -O2 -g -std=gnu11 -Wall -Wextra -Werror -static -o $@ $<

$(BUILD)/initrd/bench-%.cpio: $(BUILD)/kmod/%/ckpt.ko $(BENCH_FILES) selftests/vm/mkinitramfs.sh selftests/vm/guest-init.sh | need-vm
	@test -x $(CRIU_BIN) || { echo "bench: $(CRIU_BIN) missing; install criu (make deps)" >&2; exit 1; }
	@echo "  INITRD  $@ (with criu)"
	$(Q)rm -rf $(BENCH_STAGE)/$* && mkdir -p $(BENCH_STAGE)/$*/bin \
		$(BENCH_STAGE)/$*/tests/bench $(BENCH_STAGE)/$*/tests/bench-mig \
		$(BENCH_STAGE)/$*/tests/bench-lib
	$(Q)cp -p $(GUEST)/bin/* $(BENCH_BIN)/* $(CRIU_BIN) $(BENCH_STAGE)/$*/bin/
	$(Q)cp -R $(GUEST)/tests/lib $(BENCH_STAGE)/$*/tests/
	$(Q)cp -p $(BENCH_PROGS) $(BENCH_STAGE)/$*/tests/bench/
	$(Q)install -m 755 bench/guest/*.sh $(BENCH_STAGE)/$*/tests/bench/
	$(Q)install -m 644 bench/guest/lib/*.sh $(BENCH_STAGE)/$*/tests/bench-lib/
	$(Q)install -m 755 bench/guest-mig/*.sh $(BENCH_STAGE)/$*/tests/bench-mig/
	$(Q)./selftests/vm/mkinitramfs.sh --kver $* --cache $(CACHE) --out $@ \
		--ko $< --bin $(BENCH_STAGE)/$*/bin --tests $(BENCH_STAGE)/$*/tests \
		--modules "$(GUEST_MODULES) $(BENCH_MODULES)"

.PHONY: bench bench-images
bench-images: $(BUILD)/initrd/bench-$(KVER_6_1).cpio

# numbers, not pass/fail; bench/run.sh writes bench/results/
bench:
	$(Q)$(MAKE) deps
	$(Q)$(MAKE) all $(foreach k,$(or $(BENCH_KVERS),$(KVER_6_1)),$(BUILD)/initrd/bench-$(k).cpio) \
		$(BUILD)/initrd/$(KVER_6_1).cpio
	$(Q)CKPT_CACHE=$(CACHE) BUILD=$(BUILD) BENCH_KVERS="$(or $(BENCH_KVERS),$(KVER_6_1))" \
		BENCH_REPS=$(BENCH_REPS) ./bench/run.sh
	$(Q)CKPT_CACHE=$(CACHE) BUILD=$(BUILD) KVER_6_1=$(KVER_6_1) ./bench/cluster.sh
	$(Q)CKPT_CACHE=$(CACHE) BUILD=$(BUILD) KVER_6_1=$(KVER_6_1) ./bench/migrate.sh
