/* tests/scripting/test_idx.c: IDX files (scripting/ms_idx.h, memsnn.data.idx). The tests write
 * their own small files, byte by byte in big-endian order (not through the reader's code),
 * plain and gzip-compressed, read them back through the C API and through a script run by
 * the memsnn command, and check every value and every error message. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <zlib.h>

#include "scripting/ms_idx.h"

static char tmpdir[1024];

static void setup(void)
{
    const char *base = getenv("MEMSNN_TEST_TMP");
    snprintf(tmpdir, sizeof tmpdir, "%s/idx-%d", base ? base : "/tmp", (int)getpid());
    char cmd[1100];
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", tmpdir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(idx, .init = setup, .timeout = 60);

static const char *tmp_path(const char *name)
{
    static char p[1200];
    snprintf(p, sizeof p, "%s/%s", tmpdir, name);
    return p;
}

/* ---- writing test files ------------------------------------------------------------------ */

typedef struct bytes {
    unsigned char b[1 << 18];
    size_t n;
} bytes;

static void put8(bytes *o, unsigned v) { o->b[o->n++] = (unsigned char)v; }
static void put32(bytes *o, uint32_t v)
{
    put8(o, v >> 24), put8(o, v >> 16 & 0xff), put8(o, v >> 8 & 0xff), put8(o, v & 0xff);
}
static void put64(bytes *o, uint64_t v) { put32(o, (uint32_t)(v >> 32)), put32(o, (uint32_t)v); }

static void header(bytes *o, unsigned type, int ndims, const uint32_t *dims)
{
    o->n = 0;
    put32(o, 0x800u | type << 8 | (unsigned)ndims);
    for (int d = 0; d < ndims; d++) put32(o, dims[d]);
}

static void save(const char *name, const bytes *o)
{
    FILE *f = fopen(tmp_path(name), "wb");
    cr_assert(f, "cannot write %s", tmp_path(name));
    cr_assert_eq(fwrite(o->b, 1, o->n, f), o->n);
    cr_assert_eq(fclose(f), 0);
}

static void save_gz(const char *name, const bytes *o)
{
    gzFile f = gzopen(tmp_path(name), "wb9");
    cr_assert(f);
    cr_assert_eq(gzwrite(f, o->b, (unsigned)o->n), (int)o->n);
    cr_assert_eq(gzclose(f), Z_OK);
}

/* A 3 x 2 x 4 ubyte file: value k is (k * 37) % 256, so bytes above 127 occur. */
static void write_ubyte3(const char *name, int gz)
{
    static bytes o;
    const uint32_t dims[] = { 3, 2, 4 };
    header(&o, 0x08, 3, dims);
    for (unsigned k = 0; k < 24; k++) put8(&o, k * 37 % 256);
    if (gz) save_gz(name, &o);
    else save(name, &o);
}

static const float FLOATS[] = { -1.5f, 3.25e-3f, 1e30f, 0.0f, -0.0f, 7.0f };

/* A 2 x 3 float file of FLOATS. */
static void write_float2(const char *name)
{
    static bytes o;
    const uint32_t dims[] = { 2, 3 };
    header(&o, 0x0D, 2, dims);
    for (int k = 0; k < 6; k++) {
        uint32_t u;
        memcpy(&u, &FLOATS[k], sizeof u);
        put32(&o, u);
    }
    save(name, &o);
}

/* ---- the C API ----------------------------------------------------------------------------- */

static void check_ubyte3(const char *name)
{
    ms_idx t;
    char msg[512];
    cr_assert_eq(ms_idx_read(tmp_path(name), &t, msg, sizeof msg), MS_OK, "%s", msg);
    cr_assert_eq(t.type, MS_IDX_UBYTE);
    cr_assert_eq(t.ndims, 3);
    cr_assert_eq(t.dims[0], 3);
    cr_assert_eq(t.dims[1], 2);
    cr_assert_eq(t.dims[2], 4);
    cr_assert_eq(t.dims[3], 1, "unused dims are 1");
    cr_assert_eq(t.count, 24);
    cr_assert(t.u8 && !t.f64, "ubyte stays bytes");
    for (unsigned k = 0; k < 24; k++) {
        cr_assert_eq(t.u8[k], k * 37 % 256, "value %u", k);
        cr_assert_eq(ms_idx_value(&t, k), (double)(k * 37 % 256));
    }
    ms_idx_free(&t);
    cr_assert(!t.u8 && t.count == 0);
    ms_idx_free(&t); /* twice is harmless */
}

Test(idx, reads_a_ubyte_3d_file)
{
    write_ubyte3("u3.idx", 0);
    check_ubyte3("u3.idx");
    cr_assert_str_eq(ms_idx_type_name(MS_IDX_UBYTE), "ubyte");
}

Test(idx, reads_a_gzip_file_the_same_way)
{
    write_ubyte3("u3.idx.gz", 1);
    FILE *f = fopen(tmp_path("u3.idx.gz"), "rb");
    cr_assert(f);
    cr_assert(fgetc(f) == 0x1f && fgetc(f) == 0x8b, "the test file is really gzip");
    fclose(f);
    check_ubyte3("u3.idx.gz");
}

Test(idx, reads_a_float_file_as_doubles)
{
    write_float2("f2.idx");
    ms_idx t;
    char msg[512];
    cr_assert_eq(ms_idx_read(tmp_path("f2.idx"), &t, msg, sizeof msg), MS_OK, "%s", msg);
    cr_assert_eq(t.type, MS_IDX_FLOAT);
    cr_assert_eq(t.ndims, 2);
    cr_assert(t.dims[0] == 2 && t.dims[1] == 3 && t.count == 6);
    cr_assert(t.f64 && !t.u8);
    for (int k = 0; k < 6; k++) cr_assert_eq(t.f64[k], (double)FLOATS[k], "value %d: %g", k, t.f64[k]);
    cr_assert(signbit(t.f64[4]), "-0 keeps its sign");
    ms_idx_free(&t);
}

Test(idx, converts_every_signed_type)
{
    static bytes o;
    ms_idx t;
    char msg[512];
    const uint32_t two[] = { 2 };

    header(&o, 0x09, 1, two), put8(&o, 0x80), put8(&o, 0x7f);
    save("b.idx", &o);
    cr_assert_eq(ms_idx_read(tmp_path("b.idx"), &t, msg, sizeof msg), MS_OK, "%s", msg);
    cr_assert(t.type == MS_IDX_BYTE && t.f64[0] == -128 && t.f64[1] == 127);
    ms_idx_free(&t);

    header(&o, 0x0B, 1, two), put8(&o, 0xfe), put8(&o, 0xd4), put8(&o, 0x01), put8(&o, 0x2c); /* -300, 300 */
    save("s.idx", &o);
    cr_assert_eq(ms_idx_read(tmp_path("s.idx"), &t, msg, sizeof msg), MS_OK, "%s", msg);
    cr_assert(t.type == MS_IDX_SHORT && t.f64[0] == -300 && t.f64[1] == 300, "%g %g", t.f64[0], t.f64[1]);
    ms_idx_free(&t);

    header(&o, 0x0C, 1, two), put32(&o, (uint32_t)-70000), put32(&o, 0x7fffffff);
    save("i.idx", &o);
    cr_assert_eq(ms_idx_read(tmp_path("i.idx"), &t, msg, sizeof msg), MS_OK, "%s", msg);
    cr_assert(t.type == MS_IDX_INT && t.f64[0] == -70000 && t.f64[1] == 2147483647.0);
    ms_idx_free(&t);

    const double pi = 3.141592653589793, tiny = -2.5e-300;
    uint64_t u1, u2;
    memcpy(&u1, &pi, 8), memcpy(&u2, &tiny, 8);
    header(&o, 0x0E, 1, two), put64(&o, u1), put64(&o, u2);
    save("d.idx", &o);
    cr_assert_eq(ms_idx_read(tmp_path("d.idx"), &t, msg, sizeof msg), MS_OK, "%s", msg);
    cr_assert(t.type == MS_IDX_DOUBLE && t.f64[0] == pi && t.f64[1] == tiny);
    ms_idx_free(&t);
}

/* A size of 0x00010203 uses all four bytes of the big-endian field, so any byte-order slip
 * gives another size (and a truncated or size-mismatch error). */
Test(idx, dims_are_big_endian)
{
    static bytes o;
    const uint32_t n = 0x00010203;
    header(&o, 0x08, 1, &n);
    for (uint32_t k = 0; k < n; k++) put8(&o, k % 251);
    save("big.idx", &o);
    ms_idx t;
    char msg[512];
    cr_assert_eq(ms_idx_read(tmp_path("big.idx"), &t, msg, sizeof msg), MS_OK, "%s", msg);
    cr_assert_eq(t.ndims, 1);
    cr_assert_eq(t.dims[0], 66051);
    cr_assert_eq(t.u8[66050], 66050 % 251);
    ms_idx_free(&t);
}

/* Reads a file expected to fail; checks the status, that the message holds every string of
 * `expect` (NULL-terminated) and that *out was left empty. */
static void expect_error(const char *name, ms_status st, const char *const *expect)
{
    ms_idx t;
    char msg[512];
    ms_status got = ms_idx_read(tmp_path(name), &t, msg, sizeof msg);
    cr_assert_eq(got, st, "%s: status %d, expected %d (%s)", name, got, st, msg);
    for (const char *const *e = expect; *e; e++)
        cr_assert(strstr(msg, *e), "%s: message lacks \"%s\":\n%s", name, *e, msg);
    cr_assert(!t.u8 && !t.f64 && t.count == 0, "a failed read leaves nothing to free");
}

Test(idx, missing_file_names_the_path)
{
    expect_error("nonesuch.idx", MS_EIO, (const char *[]){ "cannot open", "nonesuch.idx'", "No such file", NULL });
}

Test(idx, bad_magic_is_shown_in_hex_with_what_was_expected)
{
    static bytes o;
    o.n = 0;
    put32(&o, 0x12345678), put32(&o, 1), put8(&o, 0);
    save("magic.idx", &o);
    expect_error("magic.idx", MS_EINVAL,
                 (const char *[]){ "not an IDX file", "bad magic number 0x12345678",
                                   "expected 0x00000800 | type << 8 | ndims", NULL });
    /* The same header written little-endian gets a hint. */
    o.n = 0;
    put8(&o, 3), put8(&o, 8), put8(&o, 0), put8(&o, 0);
    save("le.idx", &o);
    expect_error("le.idx", MS_EINVAL, (const char *[]){ "bad magic number 0x03080000", "little-endian", NULL });
    /* A text file, gzip-compressed: the magic number is that of its decompressed bytes. */
    o.n = 0;
    for (const char *s = "hello, world\n"; *s; s++) put8(&o, (unsigned char)*s);
    save_gz("text.gz", &o);
    expect_error("text.gz", MS_EINVAL, (const char *[]){ "bad magic number 0x68656C6C", NULL });
}

Test(idx, unsupported_type_code_lists_the_known_ones)
{
    static bytes o;
    const uint32_t one[] = { 1 };
    header(&o, 0x0A, 1, one), put8(&o, 0);
    save("type.idx", &o);
    expect_error("type.idx", MS_EINVAL,
                 (const char *[]){ "unsupported data type code 0x0A", "magic number 0x00000A01", "0x08 ubyte",
                                   "0x0E double", NULL });
}

Test(idx, too_many_dims_is_an_error)
{
    static bytes o;
    const uint32_t dims[] = { 1, 1, 1, 1, 1 };
    header(&o, 0x08, 5, dims), put8(&o, 0);
    save("dims.idx", &o);
    expect_error("dims.idx", MS_EINVAL, (const char *[]){ "declares 5 dimensions", "1 to 4", NULL });
    header(&o, 0x08, 0, dims);
    save("dims0.idx", &o);
    expect_error("dims0.idx", MS_EINVAL, (const char *[]){ "declares 0 dimensions", NULL });
}

Test(idx, truncated_data_says_how_much_is_missing)
{
    static bytes o;
    const uint32_t dims[] = { 10, 10 };
    header(&o, 0x08, 2, dims);
    for (int k = 0; k < 50; k++) put8(&o, (unsigned)k);
    save("short.idx", &o);
    expect_error("short.idx", MS_EIO,
                 (const char *[]){ "is truncated", "expected 100 bytes of data (10 x 10 ubyte), file has 50", NULL });
    /* Floats count in bytes too. */
    header(&o, 0x0D, 2, dims);
    for (int k = 0; k < 50; k++) put8(&o, 0);
    save("shortf.idx", &o);
    expect_error("shortf.idx", MS_EIO, (const char *[]){ "expected 400 bytes of data (10 x 10 float), file has 50", NULL });
    /* A header cut inside its sizes. */
    o.n = 0;
    put32(&o, 0x803), put32(&o, 10), put8(&o, 0);
    save("shorthead.idx", &o);
    expect_error("shorthead.idx", MS_EIO,
                 (const char *[]){ "is truncated", "3 dimension sizes (12 bytes after the magic number), file has 5", NULL });
    /* An empty file. */
    o.n = 0;
    save("empty.idx", &o);
    expect_error("empty.idx", MS_EIO, (const char *[]){ "is truncated", "0 bytes", NULL });
}

Test(idx, truncated_gzip_stream_is_reported)
{
    static bytes o;
    const uint32_t n = 20000;
    header(&o, 0x08, 1, &n);
    srand(3);
    for (uint32_t k = 0; k < n; k++) put8(&o, (unsigned)rand() & 0xff); /* incompressible */
    save_gz("cut.gz", &o);
    FILE *f = fopen(tmp_path("cut.gz"), "r+b");
    cr_assert(f);
    cr_assert_eq(ftruncate(fileno(f), 5000), 0);
    fclose(f);
    expect_error("cut.gz", MS_EIO,
                 (const char *[]){ "is truncated", "expected 20000 bytes of data", "gzip stream is cut short", NULL });
}

Test(idx, trailing_data_is_a_size_mismatch)
{
    static bytes o;
    const uint32_t dims[] = { 2, 2 };
    header(&o, 0x08, 2, dims);
    for (int k = 0; k < 6; k++) put8(&o, (unsigned)k);
    save("long.idx", &o);
    expect_error("long.idx", MS_EIO,
                 (const char *[]){ "size mismatch", "expected 4 bytes of data (2 x 2 ubyte), file has 6", NULL });
}

Test(idx, a_header_claiming_too_much_fails_without_allocating_it)
{
    static bytes o;
    const uint32_t dims[] = { 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu };
    header(&o, 0x0E, 4, dims);
    save("huge.idx", &o);
    expect_error("huge.idx", MS_EINVAL, (const char *[]){ "too many values", NULL });
    /* 4 G values of ubyte fit in size_t: the read fails as truncated, after 16 bytes. */
    header(&o, 0x08, 1, dims), put8(&o, 1);
    save("big1.idx", &o);
    expect_error("big1.idx", MS_EIO, (const char *[]){ "expected 4294967295 bytes of data", "file has 1", NULL });
}

/* ---- through Lua --------------------------------------------------------------------------- */

typedef struct result {
    int status;
    char out[8192], err[8192];
} result;

static void slurp(const char *path, char *buf, size_t len)
{
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f) return;
    size_t n = fread(buf, 1, len - 1, f);
    buf[n] = '\0';
    fclose(f);
}

/* Writes `body` to a script in tmpdir and runs `memsnn run` on it there. */
static void run_script(result *r, const char *body)
{
    FILE *f = fopen(tmp_path("s.lua"), "w");
    cr_assert(f);
    fputs(body, f);
    fclose(f);
    const char *bin = getenv("MEMSNN_BIN");
    cr_assert(bin, "MEMSNN_BIN is not set (run through ctest)");
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' run s.lua > out.txt 2> err.txt", tmpdir, bin);
    int st = system(cmd);
    cr_assert(WIFEXITED(st), "memsnn did not exit normally (crash?)");
    r->status = WEXITSTATUS(st);
    slurp(tmp_path("out.txt"), r->out, sizeof r->out);
    slurp(tmp_path("err.txt"), r->err, sizeof r->err);
}

#define LUA_HEAD "local memsnn = require('memsnn')\n"

Test(idx, lua_reads_ubyte_gzip_and_float_files)
{
    write_ubyte3("u3.idx", 0);
    write_ubyte3("u3.idx.gz", 1);
    write_float2("f2.idx");
    result r;
    run_script(&r, LUA_HEAD
               "for _, name in ipairs{ 'u3.idx', 'u3.idx.gz' } do\n"
               "  local f = memsnn.data.idx(name)\n"
               "  local t = f.data\n"
               "  print(f.type, f.n, table.concat(f.dims, ','), #t, t:count(), t:type(), table.concat(t:dims(), ','))\n"
               "  print(t:get(1, 1, 1), t:get(1, 1, 2), t:get(3, 2, 4), t:get(2, 1, 3), tostring(t))\n"
               "  print(table.concat(t:row(2), ','))\n"
               "  print(t:row(1, 0.5)[2])\n"
               "end\n"
               "local f = memsnn.data.idx('f2.idx')\n"
               "print(f.type, f.n, #f.data, f.data:get(1, 1), f.data:get(1, 2), f.data:get(2, 1), table.concat(f.data:row(2), ','))\n");
    cr_assert_eq(r.status, 0, "%s", r.err);
    /* Values k*37 % 256: (1,1,1) is k=0, (1,1,2) k=1, (3,2,4) k=23, (2,1,3) k=10; row 2 is k=8..15. */
    const char *ubyte = "ubyte\t24\t3,2,4\t3\t24\tubyte\t3,2,4\n"
                        "0\t37\t83\t114\tmemsnn.tensor(ubyte, 3 x 2 x 4)\n"
                        "40,77,114,151,188,225,6,43\n"
                        "18.5\n";
    char want[1024];
    snprintf(want, sizeof want, "%s%s", ubyte, ubyte);
    cr_assert(strncmp(r.out, want, strlen(want)) == 0, "got:\n%s\nwanted:\n%s", r.out, want);
    const char *flt = "float\t6\t2\t-1.5\t0.0032500000670552\t0.0\t0.0,-0.0,7.0";
    cr_assert(strstr(r.out, flt), "got:\n%s\nwanted a line starting:\n%s", r.out, flt);
}

/* Runs a script that should fail; checks exit 1, the line, and that stderr holds `expect`. */
static void expect_lua_error(const char *body, const char *expect)
{
    result r;
    run_script(&r, body);
    cr_assert_eq(r.status, 1, "exit %d for:\n%s\nstderr: %s", r.status, body, r.err);
    cr_assert(strstr(r.err, expect), "stderr lacks \"%s\":\n%s", expect, r.err);
}

Test(idx, lua_errors_carry_the_readers_messages_and_the_line)
{
    static bytes o;
    o.n = 0;
    put32(&o, 0x0b0b0b0b);
    save("magic.idx", &o);
    const uint32_t dims[] = { 10, 10 };
    header(&o, 0x08, 2, dims), put8(&o, 1);
    save("short.idx", &o);
    header(&o, 0x0A, 1, dims), put8(&o, 1);
    save("type.idx", &o);

    expect_lua_error(LUA_HEAD "\nmemsnn.data.idx('nonesuch.idx')\n",
                     "s.lua:3: idx: cannot open 'nonesuch.idx': No such file");
    expect_lua_error(LUA_HEAD "memsnn.data.idx('magic.idx')\n",
                     "s.lua:2: idx: 'magic.idx' is not an IDX file: bad magic number 0x0B0B0B0B, expected 0x00000800");
    expect_lua_error(LUA_HEAD "memsnn.data.idx('short.idx')\n",
                     "s.lua:2: idx: 'short.idx' is truncated: expected 100 bytes of data (10 x 10 ubyte), file has 1");
    expect_lua_error(LUA_HEAD "memsnn.data.idx('type.idx')\n", "s.lua:2: idx: 'type.idx': unsupported data type code 0x0A");
}

Test(idx, lua_tensor_indices_are_checked)
{
    write_ubyte3("u3.idx", 0);
    expect_lua_error(LUA_HEAD "local t = memsnn.data.idx('u3.idx').data\nt:get(1, 1)\n",
                     "s.lua:3: tensor:get: takes 3 indices (one per dimension), got 2");
    expect_lua_error(LUA_HEAD "local t = memsnn.data.idx('u3.idx').data\nt:get(1, 3, 1)\n",
                     "s.lua:3: tensor:get: index 2 is 3, outside 1..2");
    expect_lua_error(LUA_HEAD "local t = memsnn.data.idx('u3.idx').data\nt:row(0)\n",
                     "s.lua:3: tensor:row: index 1 is 0, outside 1..3");
    expect_lua_error(LUA_HEAD "local t = memsnn.data.idx('u3.idx').data\nt:get(1.5, 1, 1)\n",
                     "s.lua:3: tensor:get: index 1 must be a whole number, got 1.5");
}
