# Fuzzing the parsers of untrusted bytes (selftests/fuzz/, libFuzzer from
# clang with ASan and UBSan).  Each target links the project's own parser
# sources, compiled again with the sanitizers into $(BUILD)/fuzz/obj/.
#
#   make fuzz            every target for FUZZ_RUNS executions, one after
#                        another (-jobs=1), a line per target
#   make fuzz-build      the targets only ($(BUILD)/fuzz/<target>)
#   make fuzz-seeds      rewrites the seed corpus selftests/fuzz/corpus/
#
# make check runs each target briefly over its committed corpus
# (selftests/host/fuzz.sh, FUZZ_CHECK_RUNS executions each).

FUZZ_CC      ?= clang
FUZZ_RUNS    ?= 1000000
FUZZ_TIMEOUT ?= 10
FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS  := -g -O1 -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE \
	-fno-omit-frame-pointer -Wno-gnu-variable-sized-type-not-at-end $(FUZZ_SAN) \
	-isystem kmod/uapi $(DAEMON_INC) -Iimage -Idaemon/peer \
	-Idaemon/capture -Itools/ckpt-restore -DCKPT_VERSION='"$(VERSION)"'

FUZZ_TARGETS := ctl_proto config cluster_msg files dump_stream image_zread peer_wire \
	image image_write

# the project's sources each target parses with
FUZZ_SRC_ctl_proto   := common/ctl_proto.c common/err.c
FUZZ_SRC_config      := $(CONFIG_SRCS) common/err.c common/size.c
FUZZ_SRC_cluster_msg := daemon/cluster/msg.c common/xxh64.c common/err.c
FUZZ_SRC_peer_wire   := daemon/peer/peer_wire.c daemon/peer/peer_recv.c \
	daemon/peer/peer_auth.c daemon/cluster/msg.c common/dump_stream.c common/xxh64.c common/err.c $(IMAGE_SRCS)
FUZZ_SRC_dump_stream := common/dump_stream.c
FUZZ_SRC_image_write := common/dump_stream.c common/xxh64.c common/err.c $(IMAGE_SRCS)
FUZZ_SRC_image       := common/dump_stream.c common/xxh64.c common/err.c $(IMAGE_SRCS) \
	tools/ckpt-restore/job.c tools/ckpt-restore/memory/page_runs.c
FUZZ_SRC_image_zread := common/dump_stream.c common/xxh64.c common/err.c $(IMAGE_SRCS)
FUZZ_SRC_files       := common/dump_stream.c common/err.c $(RESTORE_FILES_SRCS)

# large buffers are recycled, poisoned, by selftests/fuzz/fuzz_alloc.c
FUZZ_WRAP := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free,--wrap=posix_memalign \
	-Wl,--wrap=ZSTD_createDCtx,--wrap=ZSTD_freeDCtx
FUZZ_LIBS = $(URING_LIBS) $(ZSTD_LIBS) $(PEER_LIBS)
FUZZ_BINS := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz_%)

.PHONY: fuzz fuzz-build fuzz-seeds need-fuzz
fuzz-build: $(FUZZ_BINS)

need-fuzz:
	$(Q)./scripts/need.sh cmd:$(FUZZ_CC):clang \
		"file:$$($(FUZZ_CC) -print-file-name=libclang_rt.fuzzer-x86_64.a 2>/dev/null || echo /nonexistent/libclang_rt.fuzzer):libclang-rt-14-dev"

$(FUZZ_DIR)/obj/%.o: %.c | need-fuzz need-user
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $<"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

define FUZZ_TARGET_RULE
$(FUZZ_DIR)/fuzz_$(1): selftests/fuzz/fuzz_$(1).c $(wildcard selftests/fuzz/*.h) selftests/fuzz/fuzz_alloc.c \
		$(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(FUZZ_SRC_$(1))) | need-fuzz need-user
	@mkdir -p $$(dir $$@)
	@echo "  FUZZLD  $$@"
	$$(Q)$$(FUZZ_CC) $$(FUZZ_CFLAGS) -fsanitize=fuzzer $$(FUZZ_WRAP) -o $$@ $$< selftests/fuzz/fuzz_alloc.c \
		$(patsubst %.c,$(FUZZ_DIR)/obj/%.o,$(FUZZ_SRC_$(1))) $$(FUZZ_LIBS)
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call FUZZ_TARGET_RULE,$(t))))

# The brief run of make check: the wrapper finds the targets beside it.
$(BUILD)/host/fuzz.sh: $(FUZZ_BINS)
host-tests: $(FUZZ_BINS)

# make fuzz: FUZZ_RUNS executions of each target, one at a time; new
# inputs go to $(FUZZ_DIR)/corpus/<target>, crashes to
# $(FUZZ_DIR)/artifacts/ (the committed corpus is only read).
fuzz: $(FUZZ_BINS)
	$(Q)FUZZ_DIR=$(FUZZ_DIR) FUZZ_RUNS=$(FUZZ_RUNS) FUZZ_TIMEOUT=$(FUZZ_TIMEOUT) \
		./selftests/fuzz/run.sh $(FUZZ_TARGETS)

# The seed corpus, from the project's own writers.
$(FUZZ_DIR)/mkseeds: selftests/fuzz/mkseeds.c $(HOST_HELPERS_O) $(DAEMON_A) $(CONFIG_A) $(IMAGE_A) $(COMMON_A) $(wildcard selftests/host/*.h) | need-ksft
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(TEST_CFLAGS) -Iselftests/host -o $@ $< $(HOST_HELPERS_O) $(DAEMON_A) $(CONFIG_A) \
		$(IMAGE_A) $(COMMON_A) $(NL_LIBS) $(URING_LIBS) $(ZSTD_LIBS) $(PEER_LIBS) -lpthread

fuzz-seeds: $(FUZZ_DIR)/mkseeds
	$(Q)$(FUZZ_DIR)/mkseeds selftests/fuzz/corpus
-include $(shell find $(FUZZ_DIR)/obj -name '*.d' 2>/dev/null)
