// SPDX-License-Identifier: GPL-2.0
/*
 * xotctl vm: VM weights by name. The running list is xot-blkback's module
 * parameter vm_weights (a write replaces the whole list); the persistent
 * list is an "options xot-blkback vm_weights=..." line in modprobe.d, read
 * whenever the module loads. Names, not domids: a restarted VM gets a new
 * domid and keeps its weight.
 */
#include <stdlib.h>
#include <string.h>

#include "xotctl.h"

#define DEFAULT_CONFIG "/etc/modprobe.d/xot-vm-weights.conf"

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
	"(/sys/module/xot_blkback/parameters/vm_weights)\n"
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

static void print_list(const struct xc_vmw *run, const struct xc_vmw *conf, bool has_conf,
		       bool json)
{
	char names[2 * XC_VMW_MAX + 64][XC_NAME_LEN];
	struct xc_vbds v;
	struct jw w;
	int n = 0, i, j;

	xc_vm_vbds(&v);
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
	struct xc_vmw run, conf;
	bool has_conf;
	int r;

	r = xc_vm_read_running(&run);
	if (r)
		return r;
	xc_vm_read_config(config_path, &conf, &has_conf);
	print_list(&run, &conf, has_conf, json);
	return 0;
}

/*
 * Resolve @who and read the running list, under the lock that serialises
 * changes (released at exit). @known: the VM must already have a weight.
 */
static int vm_begin(const char *who, bool known, char *name, bool *running,
		    struct xc_vmw *l)
{
	int r = xc_need_blkback();

	if (!r)
		r = xc_vm_resolve(who, name, running, known);
	if (!r) {
		xc_vm_lock();
		r = xc_vm_read_running(l);
	}
	return r;
}

/* Write the changed list to the running module, then to the config file. */
static int vm_commit(const struct xc_vmw *l)
{
	int r = xc_vm_write_running(l);

	return r ? r : xc_vm_persist(config_path, l);
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
	r = vm_begin(who, false, name, &running, &l);
	if (r)
		return r;
	if (xc_vmw_set(&l, name, w)) {
		xc_err("too many VM weights (at most %d)", XC_VMW_MAX);
		return XC_EXIT_ERR;
	}
	r = vm_commit(&l);
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

	r = vm_begin(who, true, name, &running, &l);
	if (r)
		return r;
	if (xc_vmw_unset(&l, name)) {
		xc_err("unknown VM '%s': it has no weight (see xotctl vm list)", name);
		return XC_EXIT_ERR;
	}
	r = vm_commit(&l);
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
