# Userspace: shared code in common/, the image store library in
# daemon/image/, the CLI in tools/ckptctl/.
# Objects go to $(BUILD)/obj/<source path>.o, programs to $(BUILD)/bin/.

USER_CFLAGS := -O2 -g -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE \
	-isystem kmod/uapi -Icommon -Idaemon/image -Idaemon -DCKPT_VERSION='"$(VERSION)"' -MMD -MP
# Evaluated only when a recipe runs, after need-user has checked pkg-config.
NL_CFLAGS = $(shell pkg-config --cflags libnl-genl-3.0)
NL_LIBS = $(shell pkg-config --libs libnl-genl-3.0)
URING_CFLAGS = $(shell pkg-config --cflags liburing)
URING_LIBS = $(shell pkg-config --libs liburing)
# image compression (daemon/image/image_zstd.c)
ZSTD_CFLAGS = $(shell pkg-config --cflags libzstd)
ZSTD_LIBS = $(shell pkg-config --libs libzstd)

COMMON_SRCS  := $(wildcard common/*.c)
IMAGE_SRCS   := $(wildcard daemon/image/*.c)
CKPTCTL_SRCS := $(wildcard tools/ckptctl/*.c)
# the daemon's library part (unit-tested on the host) and the rest
DAEMON_LIB_SRCS := daemon/config.c daemon/config_peers.c daemon/registry.c daemon/retention.c \
	daemon/cluster_msg.c daemon/cluster_store.c \
	daemon/store_list.c daemon/migrate_config.c daemon/predump.c
DAEMON_SRCS  := $(filter-out $(DAEMON_LIB_SRCS),$(wildcard daemon/*.c))
COMMON_OBJS  := $(COMMON_SRCS:%.c=$(BUILD)/obj/%.o)
IMAGE_OBJS   := $(IMAGE_SRCS:%.c=$(BUILD)/obj/%.o)
CKPTCTL_OBJS := $(CKPTCTL_SRCS:%.c=$(BUILD)/obj/%.o)
DAEMON_LIB_OBJS := $(DAEMON_LIB_SRCS:%.c=$(BUILD)/obj/%.o)
DAEMON_OBJS  := $(DAEMON_SRCS:%.c=$(BUILD)/obj/%.o)
USER_PROGS   := $(BUILD)/bin/ckptctl $(BUILD)/bin/ckptd

.PHONY: userspace
userspace: $(USER_PROGS)

$(BUILD)/obj/%.o: %.c | need-user
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(USER_CFLAGS) $(NL_CFLAGS) $(URING_CFLAGS) $(ZSTD_CFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/bin/ckptctl: $(CKPTCTL_OBJS) $(DAEMON_LIB_OBJS) $(IMAGE_OBJS) $(COMMON_OBJS)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(NL_LIBS) $(URING_LIBS) $(ZSTD_LIBS)

$(BUILD)/bin/ckptd: $(DAEMON_OBJS) $(DAEMON_LIB_OBJS) $(IMAGE_OBJS) $(COMMON_OBJS)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(NL_LIBS) $(URING_LIBS) $(ZSTD_LIBS) $(PEER_LIBS) -lpthread

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
