// SPDX-License-Identifier: GPL-2.0
/*
 * xotctl: paths under XOTCTL_ROOT, whole-file I/O, messages.
 *
 * Every built-in path (/sys, /proc, /etc) goes through xc_path(), which puts
 * $XOTCTL_ROOT in front: the tests run xotctl on a fake tree that way.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xotctl.h"

const char *xc_prog = "xotctl";

#define XC_READ_MAX (64u << 20)

const char *xc_root(void)
{
	const char *r = getenv("XOTCTL_ROOT");

	return r ? r : "";
}

bool xc_path(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n, m;

	n = snprintf(buf, len, "%s", xc_root());
	if (n < 0 || (size_t)n >= len)
		return false;
	va_start(ap, fmt);
	m = vsnprintf(buf + n, len - (size_t)n, fmt, ap);
	va_end(ap);
	return m >= 0 && (size_t)m < len - (size_t)n;
}

int xc_read_file(const char *path, char **out)
{
	size_t cap = 4096, len = 0;
	char *buf, *nb;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	buf = malloc(cap);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t r;

		if (cap - len < 2) {
			if (cap >= XC_READ_MAX) {	/* no sysfs or debugfs file is that big */
				err = -EFBIG;
				goto fail;
			}
			nb = realloc(buf, cap * 2);
			if (!nb) {
				err = -ENOMEM;
				goto fail;
			}
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + len, cap - len - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			goto fail;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	buf[len] = '\0';
	*out = buf;
	return 0;
fail:
	close(fd);
	free(buf);
	return err;
}

int xc_write_file(const char *path, const char *data)
{
	size_t len = strlen(data);
	ssize_t r;
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = write(fd, data, len);
	if (r < 0)
		err = -errno;
	else if ((size_t)r != len)
		err = -EIO;
	if (close(fd) && !err)
		err = -errno;
	return err;
}

bool xc_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static void vmsg(const char *kind, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: %s", xc_prog, kind);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void xc_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

void xc_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

int xc_err_errno(const char *what, const char *path, int err)
{
	if (err < 0)
		err = -err;
	if (err == EACCES || err == EPERM) {
		xc_err("%s %s: permission denied (%s; run as root)", what, path,
		       err == EACCES ? "EACCES" : "EPERM");
		return XC_EXIT_ERR;
	}
	xc_err("%s %s: %s", what, path, strerror(err));
	return XC_EXIT_ERR;
}

char *xc_chomp(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

bool xc_parse_ull(const char *s, unsigned long long *v)
{
	unsigned long long n = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || n > (~0ULL - 9) / 10)
			return false;
		n = n * 10 + (unsigned long long)(*s - '0');
	}
	*v = n;
	return true;
}
