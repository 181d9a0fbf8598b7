// SPDX-License-Identifier: GPL-2.0
/*
 * xotctl vm: which VM an argument names. A DOMID (all digits) is looked up
 * in xot-blkback's debugfs vbds file, then with
 * `xenstore-read /local/domain/DOMID/name`; anything else is a name.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "xotctl.h"

#define VBDS "/sys/kernel/debug/xot-blkback/vbds"

/* The running VMs xot-blkback knows; false if its vbds file cannot be read. */
bool xc_vm_vbds(struct xc_vbds *v)
{
	char path[4096], *text = NULL;

	memset(v, 0, sizeof(*v));
	if (xc_path(path, sizeof(path), VBDS) && !xc_read_file(path, &text)) {
		xc_vbds_parse(text, v);
		free(text);
		return true;
	}
	return false;
}

/* `xenstore-read /local/domain/ID/name` (XOTCTL_XENSTORE_READ overrides the command) */
static bool xenstore_name(unsigned long long domid, char *name, size_t len)
{
	const char *cmd = getenv("XOTCTL_XENSTORE_READ");
	char key[64];
	int fd[2], status;
	ssize_t n = 0, r;
	pid_t pid;

	if (!cmd || !*cmd)
		cmd = "xenstore-read";
	snprintf(key, sizeof(key), "/local/domain/%llu/name", domid);
	if (pipe(fd))
		return false;
	pid = fork();
	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		return false;
	}
	if (!pid) {
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		execlp(cmd, cmd, key, (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	while ((size_t)n < len - 1 && (r = read(fd[0], name + n, len - 1 - (size_t)n)) > 0)
		n += r;
	close(fd[0]);
	name[n] = '\0';
	xc_chomp(name);
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status))
		return false;
	return name[0] != '\0';
}

int xc_vm_resolve(const char *arg, char *name, bool *running, bool any_kernel_name)
{
	char buf[256];
	unsigned long long domid;
	struct xc_vbds v;
	bool known;
	int i;

	*running = false;
	known = xc_vm_vbds(&v);
	if (xc_parse_ull(arg, &domid)) {
		buf[0] = '\0';
		for (i = 0; i < v.nr; i++)
			if (v.v[i].domid == domid && strcmp(v.v[i].vm, "-")) {
				snprintf(buf, sizeof(buf), "%s", v.v[i].vm);
				break;
			}
		if (!buf[0] && !xenstore_name(domid, buf, sizeof(buf))) {
			xc_vbds_free(&v);
			xc_err("unknown VM: no domain with id %llu (neither xot-blkback's vbds "
			       "nor xenstore-read name it)", domid);
			return XC_EXIT_ERR;
		}
	} else {
		snprintf(buf, sizeof(buf), "%s", arg);
	}
	if (strlen(arg) >= sizeof(buf) || strlen(buf) >= XC_NAME_LEN) {
		xc_vbds_free(&v);
		xc_err("VM name '%.*s...' is too long: xot-blkback matches names of at most %d bytes",
		       40, buf, XC_NAME_LEN - 1);
		return XC_EXIT_USAGE;
	}
	strcpy(name, buf);
	if (any_kernel_name ? !xc_vm_name_kernel_ok(name) : !xc_vm_name_ok(name)) {
		xc_vbds_free(&v);
		xc_err("bad VM name '%s': 1..%d printable characters, no blanks, quotes, "
		       "'#', '\\', ',' or '='", name, XC_NAME_LEN - 1);
		return XC_EXIT_USAGE;
	}
	/* without the vbds file, whether it runs is not known: no warning */
	*running = !known;
	for (i = 0; i < v.nr; i++)
		if (!strcmp(v.v[i].vm, name))
			*running = true;
	xc_vbds_free(&v);
	return 0;
}

