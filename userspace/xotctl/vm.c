// SPDX-License-Identifier: GPL-2.0
/*
 * xotctl vm: VM weights by name. The running list is xot-blkback's module
 * parameter vm_weights (a write replaces the whole list); the persistent
 * list is an "options xot-blkback vm_weights=..." line in modprobe.d, read
 * whenever the module loads. Names, not domids: a restarted VM gets a new
 * domid and keeps its weight.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "xotctl.h"

#define DEFAULT_CONFIG "/etc/modprobe.d/xot-vm-weights.conf"
#define PARAM "/sys/module/xot_blkback/parameters/vm_weights"
#define VBDS "/sys/kernel/debug/xot-blkback/vbds"
#define LOCK "/run/lock/xotctl-vm.lock"

static const char vm_help[] =
	"Usage: xotctl vm list [--json] [--config FILE]\n"
	"       xotctl vm set-weight NAME|DOMID W [--config FILE]\n"
	"       xotctl vm unset NAME|DOMID [--config FILE]\n"
	"\n"
	"VM weights divide a device between VMs (and dom0's own cgroups); a guest's\n"
	"cgroup weights divide its VM's share. A VM without a weight weighs 100.\n"
	"Weights are kept by VM name, so they hold when a VM restarts with a new\n"
	"domid. A DOMID (all digits) is resolved to its name through xot-blkback's\n"
	"vbds file or `xenstore-read /local/domain/DOMID/name`.\n"
	"\n"
	"set-weight and unset change the running module\n"
	"(" PARAM ")\n"
	"and then the config file, so the weights apply again after a dom0 reboot\n"
	"(when xot-blkback loads). Run on dom0, as root.\n"
	"\n"
	"Options:\n"
	"  --json          (list) one JSON document: config, config_exists, vms[] with\n"
	"                  name, weight, default, domid, config_weight\n"
	"  --config FILE   the persistent list (default " DEFAULT_CONFIG "),\n"
	"                  one line: options xot-blkback vm_weights=NAME=W,NAME=W\n"
	"\n"
	"Examples:\n"
	"  xotctl vm set-weight web 400\n"
	"  xotctl vm set-weight 7 200      # the VM whose domid is 7, by its name\n"
	"  xotctl vm unset web\n"
	"  xotctl vm list\n";

static char config_path[4096];

/* The running VMs xot-blkback knows (may be empty: debugfs not mounted). */
static void load_vbds(struct xc_vbds *v)
{
	char path[4096], *text = NULL;

	memset(v, 0, sizeof(*v));
	if (xc_path(path, sizeof(path), VBDS) && !xc_read_file(path, &text)) {
		xc_vbds_parse(text, v);
		free(text);
	}
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

/*
 * NAME|DOMID -> name. Returns 0, or an exit status with a message.
 * *running: a VM of that name has a vbd now.
 */
static int resolve(const char *arg, char *name, bool *running)
{
	unsigned long long domid;
	struct xc_vbds v;
	int i;

	*running = false;
	load_vbds(&v);
	if (xc_parse_ull(arg, &domid)) {
		name[0] = '\0';
		for (i = 0; i < v.nr; i++)
			if (v.v[i].domid == domid && strcmp(v.v[i].vm, "-")) {
				snprintf(name, XC_NAME_LEN, "%s", v.v[i].vm);
				break;
			}
		if (!name[0] && !xenstore_name(domid, name, XC_NAME_LEN)) {
			xc_vbds_free(&v);
			xc_err("unknown VM: no domain with id %llu (neither xot-blkback's vbds "
			       "nor xenstore-read name it)", domid);
			return XC_EXIT_ERR;
		}
	} else {
		snprintf(name, XC_NAME_LEN, "%s", arg);
	}
	if (!xc_vm_name_ok(name)) {
		xc_vbds_free(&v);
		xc_err("bad VM name '%s': 1..%d printable characters, no blanks, quotes, "
		       "'#', '\\', ',' or '='", name, XC_NAME_LEN - 1);
		return XC_EXIT_USAGE;
	}
	for (i = 0; i < v.nr; i++)
		if (!strcmp(v.v[i].vm, name))
			*running = true;
	xc_vbds_free(&v);
	return 0;
}

/*
 * set-weight and unset read, change and write back the whole list: two at
 * once would lose one change. They take LOCK (released at exit); without
 * /run/lock they go on unlocked.
 */
static void lock_list(void)
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

static int read_running(struct xc_vmw *l)
{
	char path[4096], *text = NULL, why[256];
	int r;

	if (!xc_path(path, sizeof(path), PARAM))
		return XC_EXIT_ERR;
	r = xc_read_file(path, &text);
	if (r)
		return xc_err_errno("cannot read", path, r);
	r = xc_vmw_parse(text, l, why, sizeof(why));
	free(text);
	if (r) {
		xc_err("cannot parse %s: %s", path, why);
		return XC_EXIT_ERR;
	}
	return 0;
}

static int write_running(const struct xc_vmw *l)
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

/* Write the config file atomically: a temporary file beside it, then rename. */
static int persist(const struct xc_vmw *l)
{
	char list[XC_VMW_MAX * (XC_NAME_LEN + 8)], tmp[4200], *old = NULL, *text;
	int r;
	FILE *f;

	if (!xc_vmw_format(l, list, sizeof(list)))
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

static void print_list(const struct xc_vmw *run, const struct xc_vmw *conf, bool has_conf,
		       bool json)
{
	char names[2 * XC_VMW_MAX + 64][XC_NAME_LEN];
	struct xc_vbds v;
	struct jw w;
	int n = 0, i, j;

	load_vbds(&v);
	for (i = 0; i < run->nr; i++)
		strcpy(names[n++], run->e[i].name);
	for (i = 0; i < conf->nr; i++)
		if (xc_vmw_find(run, conf->e[i].name) < 0)
			strcpy(names[n++], conf->e[i].name);
	for (i = 0; i < v.nr && n < (int)(sizeof(names) / sizeof(names[0])); i++) {
		bool seen = false;

		for (j = 0; j < n; j++)
			seen |= !strcmp(names[j], v.v[i].vm);
		if (!seen && strcmp(v.v[i].vm, "-"))
			strcpy(names[n++], v.v[i].vm);
	}
	if (json) {
		jw_init(&w, stdout, true);
		jw_obj(&w, NULL);
		jw_str(&w, "config", config_path);
		jw_bool(&w, "config_exists", has_conf);
		jw_arr(&w, "vms");
	} else {
		printf("%-24s %-14s %-10s %s\n", "VM", "WEIGHT", "DOMID", "CONFIG");
	}
	for (i = 0; i < n; i++) {
		int r = xc_vmw_find(run, names[i]), c = xc_vmw_find(conf, names[i]), dom = -1;
		char wt[32], d[16] = "-", cw[32] = "-";

		for (j = 0; j < v.nr; j++)
			if (!strcmp(v.v[j].vm, names[i]))
				dom = (int)v.v[j].domid;
		if (json) {
			jw_obj(&w, NULL);
			jw_str(&w, "name", names[i]);
			jw_int(&w, "weight", r >= 0 ? run->e[r].weight : 100);
			jw_bool(&w, "default", r < 0);
			if (dom >= 0)
				jw_int(&w, "domid", dom);
			else
				jw_null(&w, "domid");
			if (c >= 0)
				jw_int(&w, "config_weight", conf->e[c].weight);
			else
				jw_null(&w, "config_weight");
			jw_obj_end(&w);
			continue;
		}
		if (r >= 0)
			snprintf(wt, sizeof(wt), "%u", run->e[r].weight);
		else
			snprintf(wt, sizeof(wt), "100 (default)");
		if (dom >= 0)
			snprintf(d, sizeof(d), "%d", dom);
		if (c >= 0)
			snprintf(cw, sizeof(cw), "%u%s", conf->e[c].weight,
				 r < 0 || run->e[r].weight != conf->e[c].weight ? " (differs)" : "");
		else if (r >= 0)
			snprintf(cw, sizeof(cw), "- (not persisted)");
		printf("%-24s %-14s %-10s %s\n", names[i], wt, d, cw);
	}
	/* VMs whose name xot-blkback does not know, once per domid */
	for (i = 0; i < v.nr; i++) {
		bool seen = false;

		for (j = 0; j < i; j++)
			seen |= v.v[j].domid == v.v[i].domid;
		if (seen || strcmp(v.v[i].vm, "-"))
			continue;
		if (json) {
			jw_obj(&w, NULL);
			jw_null(&w, "name");
			jw_int(&w, "weight", v.v[i].vm_weight);
			jw_bool(&w, "default", true);
			jw_int(&w, "domid", v.v[i].domid);
			jw_null(&w, "config_weight");
			jw_obj_end(&w);
		} else {
			printf("%-24s %-14u %-10u %s\n", "(name unknown)", v.v[i].vm_weight,
			       v.v[i].domid, "-");
		}
	}
	if (json) {
		jw_arr_end(&w);
		jw_obj_end(&w);
		jw_end(&w);
	} else {
		printf("config: %s%s\n", config_path, has_conf ? "" : " (none)");
	}
	xc_vbds_free(&v);
}

static int vm_list(bool json)
{
	struct xc_vmw run, conf = { 0 };
	char *text = NULL, *val, why[256];
	bool has_conf = false;
	int r;

	r = read_running(&run);
	if (r)
		return r;
	r = xc_read_file(config_path, &text);
	if (!r) {
		has_conf = true;
		val = xc_conf_get(text);
		free(text);
		if (val && xc_vmw_parse(val, &conf, why, sizeof(why)))
			xc_warn("%s: %s (ignored)", config_path, why);
		free(val);
	} else if (r != -ENOENT) {
		xc_warn("cannot read %s: %s", config_path, strerror(-r));
	}
	print_list(&run, &conf, has_conf, json);
	return 0;
}

static int vm_set(const char *who, const char *wstr)
{
	char name[XC_NAME_LEN];
	struct xc_vmw l;
	unsigned int w;
	bool running;
	int r;

	if (xc_weight_parse(wstr, &w)) {
		xc_err("bad weight '%s': an integer in 1..10000", wstr);
		return XC_EXIT_USAGE;
	}
	r = xc_need_blkback();
	if (!r)
		r = resolve(who, name, &running);
	if (!r) {
		lock_list();
		r = read_running(&l);
	}
	if (r)
		return r;
	if (xc_vmw_set(&l, name, w)) {
		xc_err("too many VM weights (at most %d)", XC_VMW_MAX);
		return XC_EXIT_ERR;
	}
	r = write_running(&l);
	if (!r)
		r = persist(&l);
	if (r)
		return r;
	if (!running)
		xc_warn("no running VM named '%s' has a vbd now; the weight applies when it starts",
			name);
	printf("%s: weight %u (running module and %s)\n", name, w, config_path);
	return 0;
}

static int vm_unset(const char *who)
{
	char name[XC_NAME_LEN];
	struct xc_vmw l;
	bool running;
	int r;

	r = xc_need_blkback();
	if (!r)
		r = resolve(who, name, &running);
	if (!r) {
		lock_list();
		r = read_running(&l);
	}
	if (r)
		return r;
	if (xc_vmw_unset(&l, name)) {
		xc_err("unknown VM '%s': it has no weight (see xotctl vm list)", name);
		return XC_EXIT_ERR;
	}
	r = write_running(&l);
	if (!r)
		r = persist(&l);
	if (r)
		return r;
	printf("%s: weight 100 (default; removed from the running module and %s)\n",
	       name, config_path);
	return 0;
}

int cmd_vm(int argc, char **argv)
{
	char *args[4];
	int nargs = 0, i;
	bool json = false;

	if (xc_want_help(argc, argv, vm_help))
		return XC_EXIT_OK;
	xc_path(config_path, sizeof(config_path), DEFAULT_CONFIG);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--config")) {
			if (i + 1 >= argc || !argv[i + 1][0]) {
				xc_err("vm: --config needs a FILE");
				return XC_EXIT_USAGE;
			}
			snprintf(config_path, sizeof(config_path), "%s", argv[++i]);
		} else if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strncmp(argv[i], "--config=", 9) && argv[i][9]) {
			snprintf(config_path, sizeof(config_path), "%s", argv[i] + 9);
		} else if (argv[i][0] == '-' && argv[i][1]) {
			xc_err("vm: unknown option '%s' (try xotctl vm --help)", argv[i]);
			return XC_EXIT_USAGE;
		} else if (nargs < 4) {
			args[nargs++] = argv[i];
		} else {
			xc_err("vm: too many arguments");
			return XC_EXIT_USAGE;
		}
	}
	if (!nargs) {
		xc_err("vm: missing subcommand (list, set-weight, unset; try xotctl vm --help)");
		return XC_EXIT_USAGE;
	}
	if (!strcmp(args[0], "list")) {
		if (nargs != 1) {
			xc_err("usage: xotctl vm list [--json] [--config FILE]");
			return XC_EXIT_USAGE;
		}
		i = xc_need_blkback();
		return i ? i : vm_list(json);
	}
	if (!strcmp(args[0], "set-weight")) {
		if (nargs != 3) {
			xc_err("usage: xotctl vm set-weight NAME|DOMID W [--config FILE]");
			return XC_EXIT_USAGE;
		}
		if (json) {
			xc_err("vm: --json is for vm list");
			return XC_EXIT_USAGE;
		}
		return vm_set(args[1], args[2]);
	}
	if (!strcmp(args[0], "unset")) {
		if (nargs != 2) {
			xc_err("usage: xotctl vm unset NAME|DOMID [--config FILE]");
			return XC_EXIT_USAGE;
		}
		if (json) {
			xc_err("vm: --json is for vm list");
			return XC_EXIT_USAGE;
		}
		return vm_unset(args[1]);
	}
	xc_err("vm: unknown subcommand '%s' (list, set-weight, unset)", args[0]);
	return XC_EXIT_USAGE;
}
