/* Sub-commands of xdpld: each returns a process exit code. */
#ifndef XDPLD_CLI_H
#define XDPLD_CLI_H

int cmd_link(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_rootlet(int argc, char **argv);
int cmd_attach(int argc, char **argv);
int cmd_detach(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_probe(int argc, char **argv);
int cmd_relink(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_apply(int argc, char **argv);

#endif
