// SPDX-License-Identifier: GPL-2.0
/*
 * xotctl: the cgroup files of the xot policy, io.xot.weight and io.xot.stat
 * on cgroup v2, blkio.xot.weight and blkio.xot.stat on v1.
 *
 * On a real system they go through libcgroup: cgroup_init() finds the io
 * (v2) or blkio (v1) hierarchy, cgroup_new_cgroup() + cgroup_add_controller()
 * + cgroup_add_value_string() + cgroup_modify_cgroup() write a weight line,
 * and cgroup_read_value_begin()/next() read a file line by line.
 *
 * The files are used directly (the "files" backend) when XOTCTL_ROOT is set:
 * libcgroup always reads the real /proc/self/mounts and cannot be pointed at
 * a fake tree. XOTCTL_CGROUP_FILES=1 selects the same backend on a real
 * system (for a libcgroup that does not know the machine's layout).
 *
 * libcgroup reports a file it cannot open as ECGROUPVALUENOTEXIST whatever
 * the reason (EACCES included), so when it fails xotctl looks at the path
 * itself to say what is wrong: no such cgroup, no such file (module not
 * loaded, or io not enabled in the parent's cgroup.subtree_control), or no
 * permission.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libcgroup.h>

#include "xotctl.h"

static bool use_files(void)
{
	const char *f = getenv("XOTCTL_CGROUP_FILES");

	return xc_root()[0] || (f && *f && strcmp(f, "0"));
}

const char *xc_cg_backend(void)
{
	return use_files() ? "files" : "libcgroup";
}

/* The hierarchy: mount point, controller name, file prefix. */
struct hier {
	char mount[4096];
	const char *ctrl;	/* "io" (v2) or "blkio" (v1) */
	int version;
};

static bool has_io(const char *controllers_file)
{
	char *s = NULL, *tok, *save = NULL;
	bool yes = false;

	if (xc_read_file(controllers_file, &s))
		return false;
	for (tok = strtok_r(s, " \n", &save); tok && !yes; tok = strtok_r(NULL, " \n", &save))
		yes = !strcmp(tok, "io");
	free(s);
	return yes;
}

static int find_hier_files(struct hier *h)
{
	static const char *const v2[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/unified" };
	char path[4096];
	size_t i;

	for (i = 0; i < 2; i++) {
		if (xc_path(path, sizeof(path), "%s/cgroup.controllers", v2[i]) && has_io(path)) {
			xc_path(h->mount, sizeof(h->mount), "%s", v2[i]);
			h->ctrl = "io";
			h->version = 2;
			return 0;
		}
	}
	if (xc_path(path, sizeof(path), "/sys/fs/cgroup/blkio") && xc_exists(path)) {
		snprintf(h->mount, sizeof(h->mount), "%s", path);
		h->ctrl = "blkio";
		h->version = 1;
		return 0;
	}
	return -1;
}

static int find_hier_libcgroup(struct hier *h, bool quiet)
{
	static bool inited;
	char *mp = NULL;
	int r;

	if (!inited) {
		r = cgroup_init();
		if (r) {
			if (!quiet)
				xc_err("libcgroup: cgroup_init: %s", cgroup_strerror(r));
			return -1;
		}
		inited = true;
	}
	if (!cgroup_get_subsys_mount_point("io", &mp)) {
		h->ctrl = "io";
		h->version = 2;
	} else if (!cgroup_get_subsys_mount_point("blkio", &mp)) {
		h->ctrl = "blkio";
		h->version = 1;
	} else {
		return -1;
	}
	snprintf(h->mount, sizeof(h->mount), "%s", mp);
	free(mp);
	return 0;
}

static int find_hier(struct hier *h, bool quiet)
{
	if (!(use_files() ? find_hier_files(h) : find_hier_libcgroup(h, quiet)))
		return 0;
	if (!quiet)
		xc_err("no io (cgroup v2) or blkio (cgroup v1) cgroup controller is mounted");
	return XC_EXIT_NA;
}

/* "/a/b/" -> "a/b"; "" is the root. Refuses "." and ".." components. */
static int norm_cgroup(const char *in, char *out, size_t len)
{
	const char *p = in;
	size_t n = 0;

	while (*p == '/')
		p++;
	while (*p) {
		const char *e = strchr(p, '/');
		size_t l = e ? (size_t)(e - p) : strlen(p);

		if ((l == 1 && p[0] == '.') || (l == 2 && p[0] == '.' && p[1] == '.'))
			return -1;
		if (l) {
			if (n + l + 2 > len)
				return -1;
			if (n)
				out[n++] = '/';
			memcpy(out + n, p, l);
			n += l;
		}
		p += l;
		while (*p == '/')
			p++;
	}
	out[n] = '\0';
	return 0;
}

/* After a failure: say why, from what is at the path. Returns the exit status. */
static int diagnose(const struct hier *h, const char *cg, const char *file, bool write, int err)
{
	char dir[8192], path[8300];

	snprintf(dir, sizeof(dir), "%s%s%s", h->mount, *cg ? "/" : "", cg);
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (!xc_exists(dir)) {
		xc_err("no cgroup '/%s' (%s does not exist)", cg, dir);
		return XC_EXIT_ERR;
	}
	if (!xc_exists(path)) {
		if (!xc_module_loaded("xot_iosched")) {
			xc_err("xot-iosched is not loaded: no %s (modprobe xot-iosched)", path);
			return XC_EXIT_NA;
		}
		if (!*cg && strstr(file, "weight")) {
			xc_err("the root cgroup has no %s: set weights on its children", file);
			return XC_EXIT_ERR;
		}
		if (h->version == 2) {
			xc_err("no %s: enable the io controller for /%s "
			       "(echo +io > PARENT/cgroup.subtree_control)", path, cg);
			return XC_EXIT_ERR;
		}
		xc_err("no %s", path);
		return XC_EXIT_ERR;
	}
	if (access(path, write ? W_OK : R_OK) && (errno == EACCES || errno == EPERM))
		return xc_err_errno(write ? "cannot write" : "cannot read", path, errno);
	if (write && err == EINVAL) {
		xc_err("the kernel refused the line for /%s (EINVAL): the device is "
		       "unknown or does not use xot", cg);
		return XC_EXIT_ERR;
	}
	return xc_err_errno(write ? "cannot write" : "cannot read", path, err ? err : EIO);
}

static int read_libcgroup(const struct hier *h, const char *cg, const char *file, char **out)
{
	char line[4096];
	void *handle = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int r;

	r = cgroup_read_value_begin(h->ctrl, cg, (char *)file, &handle, line, sizeof(line));
	if (r && r != ECGEOF)
		return cgroup_get_last_errno() ? -cgroup_get_last_errno() : -EIO;
	f = open_memstream(&buf, &len);
	if (!f) {
		if (handle)
			cgroup_read_value_end(&handle);
		return -ENOMEM;
	}
	while (!r) {
		fputs(line, f);
		r = cgroup_read_value_next(&handle, line, sizeof(line));
	}
	cgroup_read_value_end(&handle);
	if (fclose(f))
		return -ENOMEM;
	*out = buf;
	return 0;
}

int xc_cg_read(const char *cgroup, const char *what, char **out, bool quiet)
{
	char cg[4096], file[64], path[8300];
	struct hier h;
	int r;

	*out = NULL;
	if (norm_cgroup(cgroup, cg, sizeof(cg))) {
		if (!quiet)
			xc_err("bad cgroup path '%s'", cgroup);
		return XC_EXIT_USAGE;
	}
	r = find_hier(&h, quiet);
	if (r)
		return r;
	snprintf(file, sizeof(file), "%s.xot.%s", h.ctrl, what);
	if (use_files()) {
		snprintf(path, sizeof(path), "%s/%s/%s", h.mount, cg, file);
		r = xc_read_file(path, out);
	} else {
		r = read_libcgroup(&h, cg, file, out);
	}
	if (!r)
		return 0;
	return quiet ? XC_EXIT_ERR : diagnose(&h, cg, file, false, -r);
}

int xc_cg_write(const char *cgroup, const char *line)
{
	char cg[4096], file[64], path[8300];
	struct hier h;
	int r, err = 0;

	if (norm_cgroup(cgroup, cg, sizeof(cg))) {
		xc_err("bad cgroup path '%s'", cgroup);
		return XC_EXIT_USAGE;
	}
	r = find_hier(&h, false);
	if (r)
		return r;
	snprintf(file, sizeof(file), "%s.xot.weight", h.ctrl);
	if (!*cg)
		return diagnose(&h, cg, file, true, 0);
	if (use_files()) {
		snprintf(path, sizeof(path), "%s/%s/%s", h.mount, cg, file);
		if (!xc_exists(path))
			return diagnose(&h, cg, file, true, ENOENT);
		r = xc_write_file(path, line);
		err = -r;
	} else {
		struct cgroup *c = cgroup_new_cgroup(cg);
		struct cgroup_controller *ctl = c ? cgroup_add_controller(c, h.ctrl) : NULL;

		r = ctl ? cgroup_add_value_string(ctl, file, line) : ECGFAIL;
		if (!r)
			r = cgroup_modify_cgroup(c);
		if (r == ECGOTHER)
			err = cgroup_get_last_errno();
		else if (r == ECGROUPNOTALLOWED)
			err = EACCES;
		else if (r)
			err = ENOENT;
		if (c)
			cgroup_free(&c);
	}
	return r ? diagnose(&h, cg, file, true, err) : 0;
}
