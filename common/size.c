// SPDX-License-Identifier: GPL-2.0
/* Parsing sizes with K, M or G suffixes (common/size.h). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

#include "size.h"

int ckpt_parse_size(const char *val, uint64_t *out)
{
	char *e;
	unsigned long long v;
	unsigned int shift = 0;

	if (!isdigit((unsigned char)val[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(val, &e, 10);
	if (errno)
		return -EINVAL;
	switch (toupper((unsigned char)*e)) {
	case 0: break;
	case 'K': shift = 10; e++; break;
	case 'M': shift = 20; e++; break;
	case 'G': shift = 30; e++; break;
	default: return -EINVAL;
	}
	if ((*e == 'i' || *e == 'I') && shift)
		e++;
	if ((*e == 'B' || *e == 'b') && shift)
		e++;
	if (*e || v > (UINT64_MAX >> shift))
		return -EINVAL;
	*out = (uint64_t)v << shift;
	return 0;
}
