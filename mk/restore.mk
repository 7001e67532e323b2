# ckpt-restore and its freestanding restorer blob.
#
# The blob (tools/ckpt-restore/blob/) is compiled without libc, linked to
# one flat image with its entry at offset 0, checked to need no run-time
# relocation (only PC-relative ones are allowed), and embedded in
# ckpt-restore with .incbin.

BLOB_DIR    := $(BUILD)/restore
BLOB_CFLAGS := -O2 -fPIE -fno-plt -nostdlib -ffreestanding -fno-builtin \
	-fno-stack-protector -fvisibility=hidden -fno-asynchronous-unwind-tables \
	-fcf-protection=none -fno-jump-tables -mno-sse -mno-mmx -mno-avx \
	-Wall -Wextra -Werror -isystem kmod/uapi

# the blob is not part of the program's objects: it is embedded, built below
RESTORE_SRCS := $(filter-out tools/ckpt-restore/blob/%,$(call srcs_under,tools/ckpt-restore))
# the restore half of open files (Documentation/files.md), public header
# tools/ckpt-restore/files/files.h; the host tests link it beside the
# capture half in daemon/capture/
RESTORE_FILES_SRCS := $(call srcs_under,tools/ckpt-restore/files)
RESTORE_FILES_OBJS := $(RESTORE_FILES_SRCS:%.c=$(BUILD)/obj/%.o)
RESTORE_OBJS := $(RESTORE_SRCS:%.c=$(BUILD)/obj/%.o) $(BLOB_DIR)/blob_bin.o
userspace: $(BUILD)/bin/ckpt-restore

$(BLOB_DIR)/restorer.o: tools/ckpt-restore/blob/restorer.c tools/ckpt-restore/blob/blob.h
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CC) $(BLOB_CFLAGS) -c $< -o $@
	$(Q)if readelf -rW $@ | awk 'NF > 3 && $$3 ~ /^R_X86_64_/ && $$3 != "R_X86_64_PC32" && $$3 != "R_X86_64_PLT32" { bad = 1; print "  blob relocation not position-independent: " $$0 } END { exit bad }'; then :; else rm -f $@; exit 1; fi

$(BLOB_DIR)/blob.bin: $(BLOB_DIR)/restorer.o tools/ckpt-restore/blob/blob.lds
	$(Q)$(LD) -T tools/ckpt-restore/blob/blob.lds -o $(BLOB_DIR)/blob.elf $<
	$(Q)test "$$(nm $(BLOB_DIR)/blob.elf | awk '$$3 == "rst_blob_syscall" { print $$1 }')" = \
		"$$(printf '%016x' $$(awk '/define RST_BLOB_SYSCALL_OFF/ { print $$3 }' tools/ckpt-restore/blob/blob.h))" || \
		{ echo "  blob: rst_blob_syscall is not at RST_BLOB_SYSCALL_OFF"; exit 1; }
	$(Q)objcopy -O binary $(BLOB_DIR)/blob.elf $@

$(BLOB_DIR)/blob_bin.o: $(BLOB_DIR)/blob.bin
	@echo "  BLOB    $@"
	$(Q)printf '\t.section .rodata\n\t.balign 4096\n\t.globl rst_blob_bin, rst_blob_bin_end\nrst_blob_bin:\n\t.incbin "%s"\nrst_blob_bin_end:\n\t.section .note.GNU-stack,"",@progbits\n' $< > $(BLOB_DIR)/blob_bin.S
	$(Q)$(CC) -c $(BLOB_DIR)/blob_bin.S -o $@

$(BUILD)/obj/tools/ckpt-restore/%.o: PART_INC := $(RESTORE_INC)

$(BUILD)/bin/ckpt-restore: $(RESTORE_OBJS) $(IMAGE_A) $(COMMON_A)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(URING_LIBS) $(ZSTD_LIBS)
