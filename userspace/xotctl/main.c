// SPDX-License-Identifier: GPL-2.0
/*
 * xotctl: command line and dispatch. See README "xotctl" and xotctl.h.
 */
#include <string.h>

#include "xotctl.h"

const char xc_exit_help[] =
	"Exit status:\n"
	"  0  success\n"
	"  1  runtime error: unknown VM, weight refused by the kernel, no permission\n"
	"     (EACCES/EPERM), no such cgroup, unreadable or unwritable file\n"
	"  2  usage error: unknown command or option, missing or malformed argument\n"
	"     (a bad weight or VM name is refused here, before anything is written)\n"
	"  3  not available here: not dom0, xot-blkback or xot-iosched not loaded,\n"
	"     no io/blkio cgroup controller\n";

static const char main_help[] =
	"Usage: xotctl COMMAND [ARGS...]\n"
	"       xotctl COMMAND --help\n"
	"\n"
	"Administer XoT, the I/O fairness system for Xen hosts (dom0 and guests).\n"
	"\n"
	"Commands:\n"
	"  status [--json] [--interval SEC] [--watch SEC [--count N]]\n"
	"                      devices on xot and their tunables, XoT channels per VM and\n"
	"                      vbd, live shares per VM, guest cgroup and dom0 cgroup\n"
	"  vm list [--json]   VM weights (running module, config file, running VMs)\n"
	"  vm set-weight NAME|DOMID W [--config FILE]\n"
	"                      set a VM's weight (1..10000) now and persistently\n"
	"  vm unset NAME|DOMID [--config FILE]\n"
	"                      drop a VM's weight (back to the default 100)\n"
	"  group get CGROUP   a cgroup's io.xot.weight and io.xot.stat\n"
	"  group set-weight CGROUP LINE\n"
	"                      write one io.xot.weight line: W, \"default W\",\n"
	"                      \"MAJ:MIN W\" or \"MAJ:MIN default\"\n"
	"  help               this text\n"
	"\n"
	"Environment:\n"
	"  XOTCTL_ROOT=DIR     prefix every built-in /sys, /proc and /etc path with DIR\n"
	"                      (tests on a fake tree; cgroup files are then read directly)\n"
	"  XOTCTL_CGROUP_FILES=1  use the cgroup files directly instead of libcgroup\n"
	"  XOTCTL_XENSTORE_READ=CMD  command that resolves a domid (default xenstore-read)\n"
	"\n"
	"Files:\n"
	"  /etc/modprobe.d/xot-vm-weights.conf  persistent VM weights (vm --config FILE)\n"
	"  /run/lock/xotctl-vm.lock             serialises vm set-weight and unset\n"
	"\n";

bool xc_want_help(int argc, char **argv, const char *text)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(text, stdout);
			fputs("\n", stdout);
			fputs(xc_exit_help, stdout);
			return true;
		}
	}
	return false;
}

int main(int argc, char **argv)
{
	const char *cmd;

	if (argc < 2) {
		fputs(main_help, stderr);
		fputs(xc_exit_help, stderr);
		return XC_EXIT_USAGE;
	}
	cmd = argv[1];
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
		fputs(main_help, stdout);
		fputs(xc_exit_help, stdout);
		return XC_EXIT_OK;
	}
	if (!strcmp(cmd, "status"))
		return cmd_status(argc - 1, argv + 1);
	if (!strcmp(cmd, "vm"))
		return cmd_vm(argc - 1, argv + 1);
	if (!strcmp(cmd, "group"))
		return cmd_group(argc - 1, argv + 1);
	xc_err("unknown command '%s' (commands: status, vm, group; try xotctl --help)", cmd);
	return XC_EXIT_USAGE;
}
