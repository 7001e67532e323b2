// SPDX-License-Identifier: GPL-2.0
/* The innermost pid namespace's id of a process or thread (proc_nspid.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proc_nspid.h"

pid_t ckpt_proc_nspid(pid_t pid, pid_t tid)
{
	char path[96], line[256];
	pid_t last = -1;
	FILE *f;

	if (tid)
		snprintf(path, sizeof(path), "/proc/%d/task/%d/status", pid, tid);
	else
		snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p, *end;

		if (strncmp(line, "NSpid:", 6))
			continue;
		for (p = line + 6;; p = end) {
			long v = strtol(p, &end, 10);

			if (end == p)
				break;
			last = (pid_t)v;
		}
	}
	fclose(f);
	return last;
}
