# ckpt.ko, built once per kernel release in $(BUILD)/kmod/<kver>/.
#
# Kbuild writes objects next to the sources, so each kernel gets a tree of
# symlinks to the real sources; 6.1 and 6.12 objects never mix and a build
# for one kernel does not invalidate the other.

KMOD_SRCS := Kbuild $(wildcard kmod/*.c kmod/*.h kmod/uapi/linux/*.h)

# KDIR for a given release: the user's KDIR for the selected KVER.
kdir-for = $(if $(filter $(1),$(KVER)),$(KDIR),/lib/modules/$(1)/build)

.PHONY: kmod
kmod: $(BUILD)/kmod/$(KVER)/ckpt.ko

$(BUILD)/kmod/%/ckpt.ko: $(KMOD_SRCS) | need-kmod
	@echo "  KMOD    ckpt.ko for $*"
	$(Q)./scripts/need.sh "file:$(call kdir-for,$*)/Makefile:linux-headers-$*"
	$(Q)rm -f $@; out=$(BUILD)/kmod/$*; mkdir -p $$out/kmod; \
		find $$out -type l -delete; \
		ln -s $(CURDIR)/Kbuild $$out/Kbuild; \
		ln -s $(CURDIR)/kmod/uapi $$out/kmod/uapi; \
		for f in kmod/*.c kmod/*.h; do ln -s $(CURDIR)/$$f $$out/$$f; done
	$(Q)$(MAKE) -C $(call kdir-for,$*) M=$(BUILD)/kmod/$* \
		CKPT_VERSION=$(VERSION) $(if $(Q),-s) modules 2>&1 | \
		grep -v '^Skipping BTF generation' || true
	$(Q)test -f $@
