// SPDX-License-Identifier: GPL-2.0
/*
 * ckptctl check: ask ckpt.ko what it and the running kernel support.
 * This is the one command that talks to the module directly: it is the
 * administrator's first diagnostic, useful before ckptd runs.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/ckpt.h>

#include "ckptctl.h"
#include "cmdline.h"
#include "feature_names.h"
#include "json.h"
#include "kmod_nl.h"

static void print_table(const struct ckpt_kfeatures *f)
{
	uint64_t unknown = ckpt_features_unknown(f->bits);

	printf("%-20s %s (ABI %u; %s ABI %u)\n", "ckpt.ko", f->module_version,
	       f->abi_version, CKPTCTL_PROG, CKPT_ABI_VERSION);
	printf("%-20s %s\n", "kernel", f->kernel_release);
	printf("%-20s %u\n", "page size", f->page_size);
	printf("\n%-20s %-5s %s\n", "FEATURE", "STATE", "USED FOR");
	for (size_t i = 0; i < ckpt_n_feature_descs; i++) {
		const struct ckpt_feature_desc *d = &ckpt_feature_descs[i];

		printf("%-20s %-5s %s\n", d->name,
		       (f->bits & d->bit) ? "yes" : "no", d->use);
	}
	if (unknown)
		printf("\n%s does not know feature bits 0x%llx: upgrade ckptctl\n",
		       CKPTCTL_PROG, (unsigned long long)unknown);
}

static void print_json(const struct ckpt_kfeatures *f)
{
	struct json_out j;

	ckptctl_json_begin(&j);
	json_string(&j, "module_version", f->module_version);
	json_u64(&j, "abi_version", f->abi_version);
	json_u64(&j, "client_abi_version", CKPT_ABI_VERSION);
	json_string(&j, "kernel_release", f->kernel_release);
	json_u64(&j, "page_size", f->page_size);
	json_u64(&j, "feature_bits", f->bits);
	json_begin_object(&j, "features");
	for (size_t i = 0; i < ckpt_n_feature_descs; i++)
		json_bool(&j, ckpt_feature_descs[i].name,
			  f->bits & ckpt_feature_descs[i].bit);
	json_end_object(&j);
	json_u64(&j, "unknown_feature_bits", ckpt_features_unknown(f->bits));
	ckptctl_json_end(&j);
}

static int report_error(const struct ckpt_err *e)
{
	if (e->errnum == ENOENT)
		fprintf(stderr,
			"%s: check: ckpt.ko is not loaded (%s); load it with 'modprobe ckpt'\n",
			CKPTCTL_PROG, e->msg);
	else if (e->msg[0])
		fprintf(stderr, "%s: check: %s: %s\n", CKPTCTL_PROG,
			strerror(e->errnum), e->msg);
	else
		fprintf(stderr, "%s: check: %s\n", CKPTCTL_PROG,
			strerror(e->errnum));
	if (e->errnum == EPERM)
		fprintf(stderr, "%s: check: run it as root\n", CKPTCTL_PROG);
	/* here ENOENT is the module, not a job */
	return e->errnum == ENOENT ? CKPTCTL_EXIT_UNAVAILABLE : ckptctl_exit_code(-e->errnum);
}

int check_main(int argc, char *argv[])
{
	static const struct ckptctl_cmd cmd = {
		.name = "check", .shared = CKPTCTL_O_JSON,
		.help = "Usage: " CKPTCTL_PROG " check [--json]\n"
			"\n"
			"Show the loaded ckpt.ko's version and ABI, the kernel release and\n"
			"which kernel features ckpt can use.  Needs root or\n"
			"CAP_CHECKPOINT_RESTORE.\n"
			"\n"
			"  --json   one JSON object instead of a table\n"
			"  --help   this text\n",
	};
	struct ckpt_err e = { 0 };
	struct ckptctl_args a;
	struct ckpt_kfeatures f;
	struct ckpt_nl *nl;
	int err;

	err = ckptctl_parse(&cmd, argc, argv, &a);
	if (err)
		return ckptctl_stop_exit(err);
	if (a.argc) {
		fprintf(stderr, "%s: check: unexpected argument '%s'\n",
			CKPTCTL_PROG, a.argv[0]);
		return CKPTCTL_EXIT_USAGE;
	}

	err = ckpt_nl_open(&nl, &e);
	if (err)
		return report_error(&e);
	err = ckpt_nl_get_features(nl, "ckptctl", &f, &e);
	ckpt_nl_close(nl);
	if (err)
		return report_error(&e);

	if (a.json)
		print_json(&f);
	else
		print_table(&f);
	return CKPTCTL_EXIT_OK;
}
