/* scripting/cli_list.h: the listing commands of the memsnn command line (cli_list.c). Both
 * print on stdout and return an exit status (MS_EXIT_* of scripting/ms_lua.h). */
#ifndef MEMSNN_SCRIPTING_CLI_LIST_H
#define MEMSNN_SCRIPTING_CLI_LIST_H

/* `memsnn models`: the models a script can use, with their methods. */
int ms_cli_list_models(void);
/* `memsnn devices` (name NULL): the registered device classes; `memsnn devices CLASS`: the
 * class's state and parameters with units, defaults, ranges and origins. An unknown class is
 * a usage error (MS_EXIT_USAGE) with the known names on stderr. */
int ms_cli_list_devices(const char *name);

#endif
