# Open files and filesystem context of a job's processes: the capture
# library (daemon/capture/, for ckptd) and the restore library
# (tools/ckpt-restore/restore_files*.c, for ckpt-restore).  Objects only:
# the programs link them; the host tests link both.

CAPTURE_SRCS       := $(wildcard daemon/capture/*.c)
CAPTURE_OBJS       := $(CAPTURE_SRCS:%.c=$(BUILD)/obj/%.o)
RESTORE_FILES_SRCS := $(wildcard tools/ckpt-restore/restore_files*.c)
RESTORE_FILES_OBJS := $(RESTORE_FILES_SRCS:%.c=$(BUILD)/obj/%.o)
FILES_INCLUDES     := -Idaemon/capture -Itools/ckpt-restore

.PHONY: files-libs
files-libs: $(CAPTURE_OBJS) $(RESTORE_FILES_OBJS)
userspace: files-libs

# ckptd captures open files at every checkpoint
$(BUILD)/bin/ckptd: $(CAPTURE_OBJS)
