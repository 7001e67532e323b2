# sudo make install / uninstall: the module for $(KVER), ckptctl, ckptd and
# its systemd unit, the man pages and the ABI header.
# DESTDIR= stages into a directory (no depmod).

MODDIR := $(DESTDIR)/lib/modules/$(KVER)/updates

.PHONY: install uninstall
install: all
	$(Q)install -D -m 644 $(BUILD)/kmod/$(KVER)/ckpt.ko $(MODDIR)/ckpt.ko
	$(Q)install -D -m 755 $(BUILD)/bin/ckptctl $(DESTDIR)$(PREFIX)/sbin/ckptctl
	$(Q)install -D -m 644 Documentation/man/ckptctl.8 \
		$(DESTDIR)$(PREFIX)/share/man/man8/ckptctl.8
	$(Q)install -D -m 755 $(BUILD)/bin/ckptd $(DESTDIR)$(PREFIX)/sbin/ckptd
	$(Q)install -D -m 755 $(BUILD)/bin/ckpt-restore $(DESTDIR)$(PREFIX)/sbin/ckpt-restore
	$(Q)install -D -m 644 Documentation/man/ckpt-restore.8 \
		$(DESTDIR)$(PREFIX)/share/man/man8/ckpt-restore.8
	$(Q)install -D -m 644 Documentation/man/ckptd.8 \
		$(DESTDIR)$(PREFIX)/share/man/man8/ckptd.8
	$(Q)install -D -m 644 Documentation/man/ckptd.conf.5 \
		$(DESTDIR)$(PREFIX)/share/man/man5/ckptd.conf.5
	$(Q)sed 's|/usr/local/sbin/ckptd|$(PREFIX)/sbin/ckptd|' daemon/systemd/ckptd.service | \
		install -D -m 644 /dev/stdin $(DESTDIR)/etc/systemd/system/ckptd.service
	$(Q)install -D -m 644 kmod/uapi/linux/ckpt.h \
		$(DESTDIR)$(PREFIX)/include/linux/ckpt.h
	$(Q)install -D -m 644 libckpt_user/include/ckpt_user.h \
		$(DESTDIR)$(PREFIX)/include/ckpt_user.h
	$(Q)install -D -m 755 $(LIBCKPT_SO) $(DESTDIR)$(PREFIX)/lib/libckpt_user.so.1
	$(Q)ln -sf libckpt_user.so.1 $(DESTDIR)$(PREFIX)/lib/libckpt_user.so
	$(Q)install -D -m 644 $(LIBCKPT_A) $(DESTDIR)$(PREFIX)/lib/libckpt_user.a
	$(Q)install -D -m 644 Documentation/man/ckpt_tag_region.3 \
		$(DESTDIR)$(PREFIX)/share/man/man3/ckpt_tag_region.3
	$(Q)if [ -z "$(DESTDIR)" ]; then ldconfig; fi
	$(Q)if [ -z "$(DESTDIR)" ]; then depmod -a $(KVER); fi
	@echo "installed ckpt $(VERSION) for kernel $(KVER); load it with 'modprobe ckpt'"

uninstall:
	$(Q)rm -f $(MODDIR)/ckpt.ko $(DESTDIR)$(PREFIX)/sbin/ckptctl \
		$(DESTDIR)$(PREFIX)/sbin/ckptd $(DESTDIR)$(PREFIX)/share/man/man8/ckptd.8 \
		$(DESTDIR)$(PREFIX)/sbin/ckpt-restore $(DESTDIR)$(PREFIX)/share/man/man8/ckpt-restore.8 \
		$(DESTDIR)$(PREFIX)/share/man/man5/ckptd.conf.5 \
		$(DESTDIR)/etc/systemd/system/ckptd.service \
		$(DESTDIR)$(PREFIX)/share/man/man8/ckptctl.8 \
		$(DESTDIR)$(PREFIX)/include/linux/ckpt.h \
		$(DESTDIR)$(PREFIX)/include/ckpt_user.h \
		$(DESTDIR)$(PREFIX)/lib/libckpt_user.so.1 \
		$(DESTDIR)$(PREFIX)/lib/libckpt_user.so \
		$(DESTDIR)$(PREFIX)/lib/libckpt_user.a \
		$(DESTDIR)$(PREFIX)/share/man/man3/ckpt_tag_region.3
	$(Q)if [ -z "$(DESTDIR)" ]; then depmod -a $(KVER); fi
