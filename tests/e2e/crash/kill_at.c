/* An LD_PRELOAD shim that kills its process (SIGKILL, from inside) at an
 * exact point of a cache write, which random kills from outside land in
 * only rarely: the write is a few microseconds of a get's milliseconds.
 *
 * DCU_KILL_AT (unset: the shim does nothing):
 *   write         the first write() to a temporary file (a path holding
 *                 ".tmp."): half the bytes are written, then the kill
 *   rename        the rename() of a temporary file over its target, before it
 *   after-rename  the same rename(), right after it succeeded
 *
 * crash_safety_test.sh builds it with cc (-shared -fPIC) at test time. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int at(const char *point) {
  const char *want = getenv("DCU_KILL_AT");
  return want != NULL && strcmp(want, point) == 0;
}

static int is_temp_fd(int fd) {
  char link[64], path[4096];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, path, sizeof path - 1);
  if (n < 0) return 0;
  path[n] = '\0';
  return strstr(path, ".tmp.") != NULL;
}

static void die(void) {
  kill(getpid(), SIGKILL);
  for (;;) pause();
}

ssize_t write(int fd, const void *buf, size_t count) {
  static ssize_t (*real)(int, const void *, size_t);
  if (real == NULL) real = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
  if (at("write") && is_temp_fd(fd)) {
    real(fd, buf, count / 2);
    die();
  }
  return real(fd, buf, count);
}

int rename(const char *from, const char *to) {
  static int (*real)(const char *, const char *);
  if (real == NULL) real = (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "rename");
  int temp = strstr(from, ".tmp.") != NULL;
  if (temp && at("rename")) die();
  int rc = real(from, to);
  if (temp && rc == 0 && at("after-rename")) die();
  return rc;
}
