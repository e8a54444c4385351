/* memsnn.write_csv (scripting/l_memsnn.c): the file it writes from a table of columns, with
 * and without options, read back byte for byte. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scripting/l_util.h"
#include "tests/scripting/lua_chunk.h"

static void open_in_tmp(void)
{
    lua_chunk_open();
    const char *tmp = getenv("MEMSNN_TEST_TMP");
    cr_assert_not_null(tmp, "MEMSNN_TEST_TMP is set by ctest");
    ms_lua_settings *s = ms_lua_get_settings(L);
    snprintf(s->out_dir, sizeof s->out_dir, "%s/write_csv", tmp);
    s->quiet = 1;
}

TestSuite(write_csv, .init = open_in_tmp, .fini = lua_chunk_close, .timeout = 30);

static void expect_file(const char *name, const char *text)
{
    char path[4200], buf[512];
    snprintf(path, sizeof path, "%s/%s", ms_lua_get_settings(L)->out_dir, name);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s was not written", path);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    cr_assert_str_eq(buf, text);
}

/* Found while writing the seeds of tests/fuzz/fuzz_lua.c: a table with a "t" column (a device
 * drive's result has one) and no options failed with "the options take columns = {names...}". */
Test(write_csv, a_t_column_without_options_is_a_column)
{
    int rc = run("local memsnn = require('memsnn')\n"
                 "memsnn.write_csv('t.csv', { t = { 0, 0.5 }, v = { 1, -2 } })", 0);
    cr_assert_eq(rc, LUA_OK, "%s", lua_tostring(L, -1));
    expect_file("t.csv", "t,v\n0,1\n0.5,-2\n");
}

Test(write_csv, columns_option_orders_the_columns)
{
    int rc = run("local memsnn = require('memsnn')\n"
                 "memsnn.write_csv('c.csv', { t = { 1, 2 }, a = { 3, 4 } }, { columns = { 't', 'a' } })", 0);
    cr_assert_eq(rc, LUA_OK, "%s", lua_tostring(L, -1));
    expect_file("c.csv", "t,a\n1,3\n2,4\n");
}

Test(write_csv, unequal_columns_are_an_error_at_the_line)
{
    expect_error("local memsnn = require('memsnn')\n"
                 "memsnn.write_csv('u.csv', { a = { 1, 2 }, b = { 3 } })", 2,
                 "write_csv: column 'b' has 1 values but 'a' has 2; columns must have equal length");
    /* and nothing was written under the name (the chunk sees the folder as this test set it) */
    char chunk[4400];
    snprintf(chunk, sizeof chunk, "local f = io.open('%s/u.csv') return f and 1 or 0", ms_lua_get_settings(L)->out_dir);
    cr_assert_eq(num(chunk), 0);
}
