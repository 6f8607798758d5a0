/* SPDX-License-Identifier: BSD-3-Clause */
#include <signal.h>
#include <string.h>

#include "app_common.h"

atomic_bool app_quit;

static void on_signal(int sig)
{
	(void)sig;
	atomic_store(&app_quit, true);
}

void app_signal_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}
