/* tests/viz/test_png.c: the PNG writer: straight RGBA from Cairo's premultiplied pixels, text
 * chunks (ASCII and UTF-8), file mode from the umask, and atomic replacement: no temporary
 * file left behind on success or failure, an existing file untouched on failure. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdint.h>
#include <sys/stat.h>

#include "viz_test.h"
#include "viz/png_impl.h"

/* 4 x 2 pixels: opaque red, opaque white, half-transparent blue (premultiplied), clear;
 * second row: opaque black, opaque green, 25% grey-ish, opaque white. */
static const uint32_t pixels[8] = {
    0xFFFF0000u, 0xFFFFFFFFu, 0x80000080u, 0x00000000u,
    0xFF000000u, 0xFF00FF00u, 0x40202020u, 0xFFFFFFFFu,
};

static msi_png_image tiny(void)
{
    return (msi_png_image){(const unsigned char *)pixels, 4, 2, 16, 0.0};
}

Test(png, writes_straight_rgba_from_premultiplied_argb)
{
    char path[512];
    ms_error err = {0};
    msi_png_image img = tiny();
    test_path("tiny.png", path, sizeof path);
    cr_assert(eq(int, msi_png_write(path, &img, NULL, 0, "png", &err), MS_OK), "%s", err.msg);
    test_img r;
    cr_assert(eq(int, read_png(path, &r), 0));
    cr_assert(eq(int, r.w, 4));
    cr_assert(eq(int, r.h, 2));
    const unsigned char *p = pixel(&r, 0, 0);
    cr_expect(p[0] == 255 && p[1] == 0 && p[2] == 0 && p[3] == 255, "red is %d,%d,%d,%d", p[0],
              p[1], p[2], p[3]);
    p = pixel(&r, 2, 0);  /* 0x80 blue at alpha 0x80 is full blue, half transparent */
    cr_expect(p[0] == 0 && p[1] == 0 && p[2] == 255 && p[3] == 128, "blue is %d,%d,%d,%d", p[0],
              p[1], p[2], p[3]);
    p = pixel(&r, 3, 0);
    cr_expect(eq(u8, p[3], 0));
    p = pixel(&r, 2, 1);  /* 0x20 at alpha 0x40: 0x80 straight */
    cr_expect(p[0] == 128 && p[1] == 128 && p[2] == 128 && p[3] == 64, "grey is %d,%d,%d,%d",
              p[0], p[1], p[2], p[3]);
    free_img(&r);
    unlink(path);
}

Test(png, text_chunks_round_trip_ascii_and_utf8)
{
    char path[512];
    ms_error err = {0};
    msi_png_image img = tiny();
    msi_png_text texts[] = {
        {"memsnn-seed", "42"},
        {"memsnn-script", "sc\xc3\xa9nario/\xce\xbc-test.lua"},  /* UTF-8: goes to iTXt */
    };
    test_path("text.png", path, sizeof path);
    cr_assert(eq(int, msi_png_write(path, &img, texts, 2, "png", &err), MS_OK), "%s", err.msg);
    char *seed = png_text_of(path, "memsnn-seed");
    char *script = png_text_of(path, "memsnn-script");
    cr_assert(seed && script);
    cr_expect(eq(str, seed, "42"));
    cr_expect(eq(str, script, "sc\xc3\xa9nario/\xce\xbc-test.lua"));
    free(seed);
    free(script);
    unlink(path);
}

Test(png, file_mode_follows_the_umask)
{
    char path[512];
    ms_error err = {0};
    msi_png_image img = tiny();
    struct stat st;
    mode_t old = umask(027);
    test_path("mode.png", path, sizeof path);
    ms_status s = msi_png_write(path, &img, NULL, 0, "png", &err);
    umask(old);
    cr_assert(eq(int, s, MS_OK), "%s", err.msg);
    cr_assert(eq(int, stat(path, &st), 0));
    cr_expect(eq(int, (int)(st.st_mode & 0777), 0640), "mode %o", (unsigned)(st.st_mode & 0777));
    unlink(path);
}

Test(png, success_leaves_no_temporary_file)
{
    char path[512], prefix[128];
    ms_error err = {0};
    msi_png_image img = tiny();
    test_path("clean.png", path, sizeof path);
    snprintf(prefix, sizeof prefix, "viz-%ld-clean.png.tmp-", (long)getpid());
    cr_assert(eq(int, msi_png_write(path, &img, NULL, 0, "png", &err), MS_OK), "%s", err.msg);
    cr_expect(file_exists(path));
    cr_expect(eq(int, count_prefixed(test_dir(), prefix), 0));
    unlink(path);
}

Test(png, missing_folder_is_an_io_error_naming_the_path)
{
    char path[512];
    ms_error err = {0};
    msi_png_image img = tiny();
    test_path("no-such-dir/x.png", path, sizeof path);
    cr_assert(eq(int, msi_png_write(path, &img, NULL, 0, "raster", &err), MS_EIO));
    cr_expect(strstr(err.msg, "raster: ") == err.msg, "%s", err.msg);
    cr_expect(strstr(err.msg, "no-such-dir/x.png") != NULL, "%s", err.msg);
    cr_expect(strstr(err.msg, "No such file or directory") != NULL, "%s", err.msg);
    cr_expect(eq(int, file_exists(path), 0));
}

Test(png, failed_rename_removes_the_temporary_file)
{
    char path[512], prefix[128];
    ms_error err = {0};
    msi_png_image img = tiny();
    /* The target is a folder, so the final rename fails after the data were written. */
    test_path("isdir.png", path, sizeof path);
    cr_assert(eq(int, mkdir(path, 0755), 0));
    snprintf(prefix, sizeof prefix, "viz-%ld-isdir.png.tmp-", (long)getpid());
    cr_assert(eq(int, msi_png_write(path, &img, NULL, 0, "png", &err), MS_EIO));
    cr_expect(strstr(err.msg, "cannot replace") != NULL, "%s", err.msg);
    cr_expect(eq(int, count_prefixed(test_dir(), prefix), 0));
    rmdir(path);
}

Test(png, bad_images_and_paths_are_refused)
{
    ms_error err = {0};
    msi_png_image img = tiny();
    cr_expect(eq(int, msi_png_write("", &img, NULL, 0, "png", &err), MS_EINVAL));
    cr_expect(eq(int, msi_png_write(NULL, &img, NULL, 0, "png", &err), MS_EINVAL));
    img.stride = 8;  /* shorter than a row */
    cr_expect(eq(int, msi_png_write("/tmp/never.png", &img, NULL, 0, "png", &err), MS_EINVAL));
    cr_expect(eq(int, file_exists("/tmp/never.png"), 0));
}
