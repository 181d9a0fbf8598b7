// SPDX-License-Identifier: GPL-2.0
/*
 * xotctl vm: where VM weights live. The running list, xot-blkback's module
 * parameter vm_weights (a write replaces the whole list), and the persistent
 * one, an "options xot-blkback vm_weights=..." line in a modprobe.d file
 * written atomically (a temporary file beside it, then rename). set-weight
 * and unset read, change and write back the whole list: two at once would
 * lose one change, so they hold LOCK (until exit; without /run/lock they go
 * on unlocked).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "xotctl.h"

#define PARAM "/sys/module/xot_blkback/parameters/vm_weights"
#define LOCK "/run/lock/xotctl-vm.lock"

void xc_vm_lock(void)
{
	char path[4096];
	int fd;

	if (!xc_path(path, sizeof(path), LOCK))
		return;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0 && flock(fd, LOCK_EX))
		xc_warn("cannot lock %s: %s", path, strerror(errno));
	/* fd stays open until exit */
}

int xc_vm_read_running(struct xc_vmw *l)
{
	char path[4096], *text = NULL, why[256];
	int r;

	if (!xc_path(path, sizeof(path), PARAM))
		return XC_EXIT_ERR;
	r = xc_read_file(path, &text);
	if (r)
		return xc_err_errno("cannot read", path, r);
	r = xc_vmw_parse_running(text, l, why, sizeof(why));
	free(text);
	if (r) {
		xc_err("cannot parse %s: %s", path, why);
		return XC_EXIT_ERR;
	}
	return 0;
}

int xc_vm_write_running(const struct xc_vmw *l)
{
	char path[4096], list[XC_VMW_MAX * (XC_NAME_LEN + 8) + 2];
	int r;

	if (!xc_path(path, sizeof(path), PARAM) || !xc_vmw_format(l, list, sizeof(list) - 1))
		return XC_EXIT_ERR;
	/*
	 * With a newline: sysfs ignores a write of 0 bytes, so an empty list
	 * must be "\n" to clear the kernel's list (it reads newlines as commas).
	 */
	strcat(list, "\n");
	r = xc_write_file(path, list);
	if (r == -EINVAL) {
		xc_err("xot-blkback refused the list '%s' (EINVAL)", xc_chomp(list));
		return XC_EXIT_ERR;
	}
	if (r)
		return xc_err_errno("cannot write", path, r);
	return 0;
}

int xc_vm_persist(const char *config_path, const struct xc_vmw *l)
{
	char list[XC_VMW_MAX * (XC_NAME_LEN + 8)], tmp[4200], *old = NULL, *text;
	struct xc_vmw safe = { 0 };
	int r, i;
	FILE *f;

	/* a name modprobe's option syntax cannot carry stays out of the file */
	for (i = 0; i < l->nr; i++)
		if (xc_vm_name_ok(l->e[i].name))
			safe.e[safe.nr++] = l->e[i];
		else
			xc_warn("VM name '%s' cannot be written to %s (blanks, quotes, '#' "
				"or '\\'): its weight is not persisted", l->e[i].name, config_path);
	if (!xc_vmw_format(&safe, list, sizeof(list)))
		return XC_EXIT_ERR;
	r = xc_read_file(config_path, &old);
	if (r && r != -ENOENT) {
		xc_err_errno("cannot read", config_path, r);
		goto fail;
	}
	text = xc_conf_put(old, list);
	free(old);
	if (!text) {
		xc_err("out of memory");
		goto fail;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", config_path, (int)getpid());
	f = fopen(tmp, "w");
	if (!f) {
		r = -errno;
		free(text);
		xc_err_errno("cannot write", tmp, r);
		goto fail;
	}
	fputs(text, f);
	free(text);
	if (fflush(f) || fsync(fileno(f)) || ferror(f)) {
		r = -errno;
		fclose(f);
		unlink(tmp);
		xc_err_errno("cannot write", tmp, r);
		goto fail;
	}
	fclose(f);
	if (rename(tmp, config_path)) {
		r = -errno;
		unlink(tmp);
		xc_err_errno("cannot replace", config_path, r);
		goto fail;
	}
	return 0;
fail:
	xc_err("the running module has the new weights, but they are not persisted "
	       "in %s", config_path);
	return XC_EXIT_ERR;
}

int xc_vm_read_config(const char *config_path, struct xc_vmw *conf, bool *exists)
{
	char *text = NULL, *val, why[256];
	int r;

	conf->nr = 0;
	*exists = false;
	r = xc_read_file(config_path, &text);
	if (r) {
		if (r != -ENOENT)
			xc_warn("cannot read %s: %s", config_path, strerror(-r));
		return 0;
	}
	*exists = true;
	val = xc_conf_get(text);
	free(text);
	if (val && xc_vmw_parse(val, conf, why, sizeof(why))) {
		xc_warn("%s: %s (ignored)", config_path, why);
		conf->nr = 0;
	}
	free(val);
	return 0;
}
