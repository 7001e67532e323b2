# libckpt_user: a shared library with a version script (only the public API
# is exported) and a static archive for programs linked -static.

LIBCKPT_SRCS := $(wildcard libckpt_user/*.c)
LIBCKPT_OBJS := $(LIBCKPT_SRCS:%.c=$(BUILD)/obj/pic/%.o)
LIBCKPT_SO   := $(BUILD)/lib/libckpt_user.so.1
LIBCKPT_A    := $(BUILD)/lib/libckpt_user.a
LIBCKPT_CFLAGS := $(USER_CFLAGS) -fPIC -Ilibckpt_user/include

.PHONY: libckpt_user
libckpt_user: $(LIBCKPT_SO) $(LIBCKPT_A)

$(BUILD)/obj/pic/%.o: %.c | need-user
	@mkdir -p $(dir $@)
	@echo "  CC      $< (pic)"
	$(Q)$(CC) $(LIBCKPT_CFLAGS) $(CFLAGS) -c $< -o $@

$(LIBCKPT_SO): $(LIBCKPT_OBJS) libckpt_user/libckpt_user.map
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) -shared -Wl,-soname,libckpt_user.so.1 \
		-Wl,--version-script=libckpt_user/libckpt_user.map \
		-o $@ $(LIBCKPT_OBJS) -lpthread
	$(Q)ln -sf libckpt_user.so.1 $(BUILD)/lib/libckpt_user.so

$(LIBCKPT_A): $(LIBCKPT_OBJS)
	@mkdir -p $(dir $@)
	@echo "  AR      $@"
	$(Q)rm -f $@ && $(AR) rcs $@ $^
