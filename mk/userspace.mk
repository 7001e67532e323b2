# Userspace parts and who may include whom.  Each part sees its own
# folder (quoted includes resolve beside the including file first) and the
# public headers of the libraries it links, nothing else:
#
#   common/         shared helpers (all headers public)       libckpt_common.a
#   image/          the image store library; public: image/include/
#                                                             libckpt_image.a
#   config/         ckptd.conf; public: config/include/       libckpt_config.a
#   daemon/         ckptd (its folders reach each other from -Idaemon)
#   tools/ckptctl/  the CLI
#   tools/ckpt-restore/  the restorer (mk/restore.mk)
#
# Sources are found by folder.  Objects go to $(BUILD)/obj/<source path>.o,
# libraries to $(BUILD)/lib/, programs to $(BUILD)/bin/.

USER_CFLAGS := -O2 -g -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE \
	-isystem kmod/uapi -DCKPT_VERSION='"$(VERSION)"' -MMD -MP
# Evaluated only when a recipe runs, after need-user has checked pkg-config.
NL_CFLAGS = $(shell pkg-config --cflags libnl-genl-3.0)
NL_LIBS = $(shell pkg-config --libs libnl-genl-3.0)
URING_CFLAGS = $(shell pkg-config --cflags liburing)
URING_LIBS = $(shell pkg-config --libs liburing)
# image compression (image/compress.c)
ZSTD_CFLAGS = $(shell pkg-config --cflags libzstd)
ZSTD_LIBS = $(shell pkg-config --libs libzstd)
# the peer channel's HMAC-SHA256 (daemon/peer/)
PEER_LIBS = $(shell pkg-config --libs libcrypto)

# public include paths of each library
COMMON_INC  := -Icommon
IMAGE_INC   := $(COMMON_INC) -Iimage/include
CONFIG_INC  := $(IMAGE_INC) -Iconfig/include
DAEMON_INC  := $(CONFIG_INC) -Idaemon
CKPTCTL_INC := $(CONFIG_INC)
RESTORE_INC := $(IMAGE_INC)

srcs_under = $(shell find $(1) -name '*.c' | LC_ALL=C sort)

COMMON_SRCS  := $(call srcs_under,common)
IMAGE_SRCS   := $(call srcs_under,image)
CONFIG_SRCS  := $(call srcs_under,config)
DAEMON_SRCS  := $(call srcs_under,daemon)
CKPTCTL_SRCS := $(call srcs_under,tools/ckptctl)
COMMON_OBJS  := $(COMMON_SRCS:%.c=$(BUILD)/obj/%.o)
IMAGE_OBJS   := $(IMAGE_SRCS:%.c=$(BUILD)/obj/%.o)
CONFIG_OBJS  := $(CONFIG_SRCS:%.c=$(BUILD)/obj/%.o)
DAEMON_OBJS  := $(DAEMON_SRCS:%.c=$(BUILD)/obj/%.o)
CKPTCTL_OBJS := $(CKPTCTL_SRCS:%.c=$(BUILD)/obj/%.o)

COMMON_A := $(BUILD)/lib/libckpt_common.a
IMAGE_A  := $(BUILD)/lib/libckpt_image.a
CONFIG_A := $(BUILD)/lib/libckpt_config.a
# ckptd without main(): what the host tests link
DAEMON_A := $(BUILD)/lib/libckptd.a

USER_PROGS   := $(BUILD)/bin/ckptctl $(BUILD)/bin/ckptd

.PHONY: userspace
userspace: $(USER_PROGS)

$(BUILD)/obj/common/%.o:        PART_INC := $(COMMON_INC)
$(BUILD)/obj/image/%.o:         PART_INC := $(IMAGE_INC)
$(BUILD)/obj/config/%.o:        PART_INC := $(CONFIG_INC)
$(BUILD)/obj/daemon/%.o:        PART_INC := $(DAEMON_INC)
$(BUILD)/obj/tools/ckptctl/%.o: PART_INC := $(CKPTCTL_INC)

$(BUILD)/obj/%.o: %.c | need-user
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(USER_CFLAGS) $(PART_INC) $(NL_CFLAGS) $(URING_CFLAGS) $(ZSTD_CFLAGS) $(CFLAGS) -c $< -o $@

$(COMMON_A): $(COMMON_OBJS)
$(IMAGE_A): $(IMAGE_OBJS)
$(CONFIG_A): $(CONFIG_OBJS)
$(DAEMON_A): $(filter-out $(BUILD)/obj/daemon/main.o,$(DAEMON_OBJS))
$(COMMON_A) $(IMAGE_A) $(CONFIG_A) $(DAEMON_A):
	@mkdir -p $(dir $@)
	@echo "  AR      $@"
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(BUILD)/bin/ckptctl: $(CKPTCTL_OBJS) $(CONFIG_A) $(IMAGE_A) $(COMMON_A)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(NL_LIBS) $(URING_LIBS) $(ZSTD_LIBS)

$(BUILD)/bin/ckptd: $(DAEMON_OBJS) $(CONFIG_A) $(IMAGE_A) $(COMMON_A)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(NL_LIBS) $(URING_LIBS) $(ZSTD_LIBS) $(PEER_LIBS) -lpthread

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
