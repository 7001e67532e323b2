// SPDX-License-Identifier: GPL-2.0
/* common/json.c: escaping and structure of --json output. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "kselftest_harness.h"

/* Runs @fn on a memory stream and returns what it wrote (static buffer). */
static const char *render(void (*fn)(struct json_out *j))
{
	static char out[1024];
	FILE *f = fmemopen(out, sizeof(out), "w");
	struct json_out j;

	json_init(&j, f);
	fn(&j);
	fclose(f);
	return out;
}

static void escapes(struct json_out *j)
{
	json_string(j, NULL, "a\"b\\c\n\t\x01\x7f/é");
}

TEST(string_escaping)
{
	EXPECT_STREQ("\"a\\\"b\\\\c\\n\\t\\u0001\\u007f/é\"", render(escapes));
}

static void nested(struct json_out *j)
{
	json_begin_object(j, NULL);
	json_string(j, "k", "v");
	json_u64(j, "n", 18446744073709551615ULL);
	json_begin_object(j, "o");
	json_bool(j, "t", true);
	json_bool(j, "f", false);
	json_end_object(j);
	json_begin_array(j, "a");
	json_u64(j, NULL, 1);
	json_begin_object(j, NULL);
	json_end_object(j);
	json_end_array(j);
	json_end_object(j);
	json_finish(j);
}

TEST(nesting_and_commas)
{
	EXPECT_STREQ("{\"k\":\"v\",\"n\":18446744073709551615,"
		     "\"o\":{\"t\":true,\"f\":false},\"a\":[1,{}]}\n",
		     render(nested));
}

static void empty(struct json_out *j)
{
	json_begin_array(j, NULL);
	json_end_array(j);
}

TEST(empty_array)
{
	EXPECT_STREQ("[]", render(empty));
}

static void weird_key(struct json_out *j)
{
	json_begin_object(j, NULL);
	json_u64(j, "a\"b", 0);
	json_end_object(j);
}

TEST(keys_are_escaped)
{
	EXPECT_STREQ("{\"a\\\"b\":0}", render(weird_key));
}

TEST_HARNESS_MAIN
